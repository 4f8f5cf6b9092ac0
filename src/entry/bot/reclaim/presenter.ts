import { SEATS_PER_REQUEST } from '../../../domain/reclaim';
import type { ReclaimRequestOutcome } from '../../../usecases/reclaim/reclaim-api';
import { errorCard } from '../error-card';

/** What a request answers in the chat it was typed in: where the card went, and what was left out and why. */
export function requestOutcomeText(outcome: ReclaimRequestOutcome, tenantName: string, here: boolean): string {
  if (outcome.kind === 'refused') return outcome.reason;
  const left = outcome.notAdded.slice(0, 10).map((n) => `- ${n.user}: ${n.reason}`);
  const more = outcome.notAdded.length > 10 ? [`- and ${outcome.notAdded.length - 10} more`] : [];
  if (outcome.kind === 'nothing') return [`${tenantName}: no seat could be requested.`, ...left, ...more].join('\n\n');
  const n = outcome.items.length;
  const [first] = outcome.requests;
  if (!first) return `${tenantName}: no seat could be requested.`;
  const asked = first.nudge
    ? `; each holder is asked first in Teams whether to keep the seat (answers due ${first.nudgeUntil?.slice(0, 10)})`
    : '';
  const cards = outcome.requests.length;
  // Never silent: a pick of 5 of which 3 were requested says so before anything else.
  const of =
    outcome.notAdded.length > 0
      ? `${n} of the ${n + outcome.notAdded.length} seats picked`
      : `${n} seat${n === 1 ? '' : 's'}`;
  const split =
    cards > 1 ? ` as ${cards} requests of at most ${SEATS_PER_REQUEST} seats (each card is approved on its own)` : '';
  const head = `${tenantName}: reclaim request for ${of} ${here ? 'posted here' : 'sent to the approvals conversation'} for approval${split}${asked}${first.mode === 'dry-run' ? ' (dry run: nothing will change)' : ''}.`;
  const leftOut = outcome.notAdded.length > 0 ? [`${outcome.notAdded.length} left out:`, ...left, ...more] : [];
  return [head, ...leftOut].join('\n\n');
}

export const unknownRequestCard = () =>
  errorCard(
    'Unknown reclaim request',
    'This card refers to a reclaim request Seat Steward does not have (it may come from another installation, or the card was altered). Nothing was done.',
  );
