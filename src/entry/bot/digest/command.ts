import { systemClock } from '../../../domain/clock';
import { digestScheduleView } from '../../../cards/digest-views';
import { renderCard } from '../../../cards/render';
import type { AdminDecision } from '../../../domain/admins';
import { canonicalTimeZone, localClock } from '../../../domain/digest-time';
import type { DigestService } from '../../../usecases/digest/digest-service';
import type { DigestSubscriptionStore } from '../../../usecases/digest/ports';
import type { TenantReads } from '../../../usecases/status/ports';
import type { Actor, BotCommand, CommandReply } from '../bot-types';
import { errorCard } from '../error-card';
import { channelTarget, subscribeHere } from './subscription';

const USAGE =
  'Type **digest now**, **digest subscribe [HH:MM] [time zone]** (e.g. digest subscribe 08:30 Europe/Paris), **digest unsubscribe** or **digest status**.';

export interface DigestCommandDeps {
  /** The sender's tenants: `digest now` posts theirs only. */
  tenants: TenantReads;
  digests: DigestService;
  subscriptions: DigestSubscriptionStore;
  /** Only admins subscribe and post digests: the card shows per-user data. */
  adminGate: (actor: Actor) => AdminDecision;
  /** A subscription posts every tenant's digest, so only ADMINS subscribe (not technicians granted some clients). */
  subscribeGate: (actor: Actor) => AdminDecision;
  /** DIGEST_TIME. */
  defaultTime: string;
  clock?: () => Date;
}

/** `digest now | subscribe [HH:MM] [zone] | unsubscribe | status`: this conversation's daily digest. */
export function digestCommand(deps: DigestCommandDeps): BotCommand {
  const clock = deps.clock ?? systemClock;
  return {
    name: 'digest',
    usage: 'digest now | subscribe [HH:MM] [time zone] | unsubscribe | status',
    description:
      'The daily digest of Copilot seats, savings, candidates and security in this conversation, at a local time.',
    async run(request): Promise<CommandReply[]> {
      const [verb = '', ...rest] = request.argument.split(' ').filter(Boolean);
      const action = verb.toLowerCase();
      const target = channelTarget(request.replyTarget);
      const conversationId = target.conversation.id;
      const now = clock();
      if (action === 'status' || action === '')
        return [
          {
            kind: 'card',
            card: renderCard('digest-schedule', digestScheduleView(deps.subscriptions.get(conversationId), now)),
          },
        ];
      if (action !== 'now' && action !== 'subscribe' && action !== 'unsubscribe')
        return [{ kind: 'text', text: USAGE }];

      const gate = deps.adminGate(request.actor);
      if (!gate.allowed) return [{ kind: 'card', card: errorCard('Only admins can do this', gate.reason) }];

      if (action === 'now') {
        const zone = canonicalTimeZone(request.timeZone ?? '') ?? 'UTC';
        const queued = deps.digests.postNow(
          request.replyTarget,
          request.requestId ?? now.toISOString(),
          localClock(now, zone).day,
          deps.tenants.list(),
        );
        return [
          {
            kind: 'text',
            text:
              queued === 0
                ? 'No tenant is connected yet, so there is no digest to post.'
                : `Posting the digest of ${queued === 1 ? 'the tenant' : `${queued} tenants`} here now.`,
          },
        ];
      }
      const subscribing = deps.subscribeGate(request.actor);
      if (!subscribing.allowed)
        return [{ kind: 'card', card: errorCard('Only admins can do this', subscribing.reason) }];
      if (action === 'unsubscribe') {
        return [
          {
            kind: 'text',
            text: deps.subscriptions.unsubscribe(conversationId)
              ? 'Unsubscribed: this conversation gets no more daily digests. **digest subscribe** starts them again.'
              : 'This conversation has no daily digest subscription.',
          },
        ];
      }

      return subscribeHere(deps, request, rest, 'tenants', now);
    },
  };
}
