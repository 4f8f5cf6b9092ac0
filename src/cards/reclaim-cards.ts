import type { AdaptiveCardJson } from '../domain/conversation';
import type { NudgeView, ReclaimView } from '../domain/reclaim-request';
import { readable, reclaimNudgeView, reclaimRequestView, type Color } from './reclaim-views';
import { renderCard } from './render';

/** The cards the reclaim workflow posts (its ReclaimCards port; the posted request card is the everyone view). */
export const reclaimCards = {
  request: (view: ReclaimView, now: Date): AdaptiveCardJson =>
    renderCard('reclaim-request', reclaimRequestView(view, now, 'everyone')),
  nudge: (view: NudgeView, now: Date): AdaptiveCardJson => renderCard('reclaim-nudge', reclaimNudgeView(view, now)),
};

/** What one viewer gets back from Review or the refresh. */
export function reclaimCardFor(
  view: ReclaimView,
  now: Date,
  notice?: { text: string; color: Color },
  page = 1,
): AdaptiveCardJson {
  const bound = reclaimRequestView(view, now, 'viewer', page);
  return renderCard(
    'reclaim-request',
    notice ? { ...bound, noticeText: notice.text, noticeColor: readable(notice.color, notice.text, false) } : bound,
  );
}
