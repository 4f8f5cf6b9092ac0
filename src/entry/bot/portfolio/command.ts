import { renderCard, type AdaptiveCardJson } from '../../../cards/render';
import { portfolioView } from '../../../cards/portfolio-views';
import { systemClock } from '../../../domain/clock';
import { canonicalTimeZone, localClock } from '../../../domain/digest-time';
import type { AdminDecision } from '../../../domain/admins';
import type { DigestService } from '../../../usecases/digest/digest-service';
import type { DigestSubscriptionStore } from '../../../usecases/digest/ports';
import type { PortfolioQuery } from '../../../usecases/portfolio/portfolio-query';
import type { PortfolioContent } from '../../../domain/portfolio';
import type { TenantReads } from '../../../usecases/status/ports';
import type { Actor, BotCommand, CommandReply } from '../bot-types';
import { statusText, channelTarget, subscribeHere } from '../digest/subscription';
import { errorCard } from '../error-card';
import { clipText } from '../text';
import { GUID } from '../../../domain/guid';

const USAGE =
  'Type **portfolio** (every tenant), **portfolio <client id>** (one MSP client), **portfolio now**, **portfolio subscribe [HH:MM] [time zone]**, **portfolio unsubscribe** or **portfolio status**.';

export interface PortfolioCommandDeps {
  tenants: TenantReads;
  portfolio: Pick<PortfolioQuery, 'content'>;
  digests: Pick<DigestService, 'postPortfolioNow'>;
  subscriptions: DigestSubscriptionStore;
  /** The scheduled and posted portfolio shows every tenant, so only ADMINS subscribe or post it. */
  subscribeGate: (actor: Actor) => AdminDecision;
  /** DIGEST_TIME. */
  defaultTime: string;
  clock?: () => Date;
}

/**
 * `portfolio [client id] | now | subscribe [HH:MM] [zone] | unsubscribe | status`: every tenant on one
 * card, ranked by the money idle Copilot seats cost. Aggregates only, so anyone may ask for it.
 */
export function portfolioCommand(deps: PortfolioCommandDeps): BotCommand {
  const clock = deps.clock ?? systemClock;
  // Readers of the same tenants share one portfolio until it changes (PortfolioQuery), so its card
  // is rendered once, as of the moment the portfolio was worked out.
  const cards = new WeakMap<PortfolioContent, AdaptiveCardJson>();
  const cardOf = (content: PortfolioContent): AdaptiveCardJson => {
    let card = cards.get(content);
    if (!card)
      cards.set(content, (card = renderCard('portfolio', portfolioView(content, new Date(content.generatedAt)))));
    return card;
  };
  return {
    name: 'portfolio',
    usage: 'portfolio [client id] | now | subscribe [HH:MM] [time zone] | unsubscribe | status',
    description:
      'Every tenant ranked by idle Copilot seats and the money they cost, with utilization, renewals, candidates and sync health; daily in a channel with subscribe.',
    async run(request): Promise<CommandReply[]> {
      const [verb = '', ...rest] = request.argument.split(' ').filter(Boolean);
      const action = verb.toLowerCase();
      const now = clock();
      if (action === '' || GUID.test(verb)) {
        if (rest.length > 0) return [{ kind: 'text', text: USAGE }];
        const content = deps.portfolio.content(
          { tenants: deps.tenants.list(), clientId: action === '' ? null : verb },
          now,
        );
        return [{ kind: 'card', card: cardOf(content) }];
      }
      const conversationId = channelTarget(request.replyTarget).conversation.id;
      if (action === 'status') return [{ kind: 'text', text: statusText(deps.subscriptions.get(conversationId), now) }];
      if (action !== 'now' && action !== 'subscribe' && action !== 'unsubscribe')
        return [{ kind: 'text', text: `"${clipText(verb, 40)}" is not a client id or a portfolio command. ${USAGE}` }];

      const gate = deps.subscribeGate(request.actor);
      if (!gate.allowed) return [{ kind: 'card', card: errorCard('Only admins can do this', gate.reason) }];
      if (action === 'now') {
        const zone = canonicalTimeZone(request.timeZone ?? '') ?? 'UTC';
        deps.digests.postPortfolioNow(
          request.replyTarget,
          request.requestId ?? now.toISOString(),
          localClock(now, zone).day,
        );
        return [{ kind: 'text', text: 'Posting the portfolio here now.' }];
      }
      if (action === 'unsubscribe') {
        const sub = deps.subscriptions.get(conversationId);
        if (sub?.layout !== 'portfolio')
          return [
            {
              kind: 'text',
              text: sub
                ? 'This conversation gets a digest card per tenant, not the portfolio: **digest unsubscribe** stops it.'
                : 'This conversation has no daily portfolio subscription.',
            },
          ];
        deps.subscriptions.unsubscribe(conversationId);
        return [
          {
            kind: 'text',
            text: 'Unsubscribed: this conversation gets no more daily portfolio cards. **portfolio subscribe** starts them again.',
          },
        ];
      }
      return subscribeHere(deps, request, rest, 'portfolio', now);
    },
  };
}
