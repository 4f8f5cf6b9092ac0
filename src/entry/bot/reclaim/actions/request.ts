import { z } from 'zod';
import type { ReclaimApi } from '../../../../usecases/reclaim/reclaim-api';
import { adminRefusalCard } from '../../admin-gate';
import type { CardAction } from '../../bot-types';
import { inactivePageFor, type SeatListDeps } from '../../seats/presenter';
import { tenantOfCard, UNKNOWN_TENANT_TEXT } from '../../tenant-card-data';
import { callerOf } from '../caller';
import { hereFor } from '../deps';
import { requestOutcomeText } from '../presenter';
import { systemClock } from '../../../../domain/clock';
import { GUID } from '../../../../domain/guid';

/** The ticked seats come back as the Input.ChoiceSet's comma-separated object ids; nothing else is trusted. */
const requestData = z.object({
  tenantId: z.string().trim().min(1).max(128),
  users: z
    .string()
    .max(40 * 50)
    .refine((v) => v.split(',').every((s) => s.trim() === '' || GUID.test(s.trim())), 'expected object ids')
    .optional(),
  /** The "ask each holder first" toggle. */
  nudge: z.enum(['true', 'false']).optional(),
  /** The digest's "Reclaim N certain seats": every seat of the tier, read again from the current analytics. */
  tier: z.enum(['certain', 'probable', 'all']).optional(),
  /** From a card that must stay as it was (the digest): the outcome is a note to the presser. */
  open: z.literal('message').optional(),
});

/**
 * Request reclaim from the `inactive` card (verb reclaim.request): the seats ticked on the page go
 * to an approver; from the digest, every seat of a tier. The sender must be an admin; the seats are read again from the current analytics
 * (the card only names them). The inactive page comes back with what happened; the digest stays as it
 * was and the presser gets what happened as a message (which seats were left out, and why).
 */
export function reclaimRequestAction(
  deps: SeatListDeps & { reclaims: ReclaimApi },
): CardAction<z.infer<typeof requestData>> {
  return {
    verb: 'reclaim.request',
    data: requestData,
    invalidData: {
      title: 'This reclaim request is not valid',
      message:
        'The card sent seats Seat Steward does not recognise (object ids only, at most 50). Nothing was requested. Type **inactive** for a fresh list.',
    },
    async run(data, request) {
      const users = (data.users ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter((u) => u !== '');
      const fromDigest = data.open === 'message';
      const gate = deps.isAdmin(request.actor);
      if (!gate.allowed) return fromDigest ? { type: 'note', note: gate.reason } : adminRefusalCard(gate.reason);
      const found = tenantOfCard(deps.tenants, { tenantId: data.tenantId });
      if ('card' in found) return fromDigest ? { type: 'note', note: UNKNOWN_TENANT_TEXT } : found.card;
      // The page comes back where it may name people (per-user-lists.ts), with what happened on it:
      // a mistake is an error line on the page the user was working on, not a card in its place.
      const place = { personal: request.personal, replyTarget: request.replyTarget };
      const page = (notice: { text: string; error: boolean }) =>
        inactivePageFor(deps, found.tenant, data.tier ?? 'all', 1, place, request.actor, notice);
      const mistake = (text: string) =>
        fromDigest ? { type: 'note' as const, note: text } : page({ text, error: true });
      if (users.length > 50)
        return mistake('Tick at most 50 seats per request (a page has 10). Nothing was requested.');
      if (users.length === 0 && !data.tier)
        return mistake(
          'No seat ticked: tick the seats to reclaim first, then press Request reclaim. Nothing was requested.',
        );
      const now = (deps.now ?? systemClock)();
      const outcome = await deps.reclaims.request(
        {
          tenantId: found.tenant.id,
          caller: callerOf(request.actor),
          pick: users.length > 0 ? { users } : { tier: data.tier },
          nudge: data.nudge === undefined ? undefined : data.nudge === 'true',
          source: users.length > 0 ? 'inactive_card' : 'digest',
          replyTarget: request.replyTarget,
        },
        now,
      );
      const here = hereFor(deps, found.tenant.id);
      if (outcome.kind === 'refused') return mistake(`Reclaim not requested: ${outcome.reason}`);
      const text = requestOutcomeText(outcome, found.tenant.tenantName, here);
      return fromDigest ? { type: 'note', note: text } : page({ text, error: outcome.kind === 'nothing' });
    },
  };
}
