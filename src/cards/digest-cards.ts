import type { AdaptiveCardJson } from '../domain/conversation';
import type { DigestContent, DigestStatusContent } from '../domain/digest';
import { digestStatusView, digestView } from './digest-views';
import { renderCard } from './render';
import type { PortfolioContent } from '../domain/portfolio';
import { portfolioView } from './portfolio-views';

/** The digest's cards, as the digest use case asks for them (its DigestCards port). */
export const digestCards = {
  digest: (content: DigestContent, now: Date): AdaptiveCardJson => renderCard('digest', digestView(content, now)),
  status: (content: DigestStatusContent, now: Date): AdaptiveCardJson =>
    renderCard('digest-status', digestStatusView(content, now)),
  portfolio: (content: PortfolioContent, now: Date): AdaptiveCardJson =>
    renderCard('portfolio', portfolioView(content, now)),
};
