import { systemClock } from '../../../domain/clock';
import { digestScheduleView } from '../../../cards/digest-views';
import { renderCard } from '../../../cards/render';
import type { AdminDecision } from '../../../domain/admins';
import {
  canonicalTimeZone,
  localClock,
  nextRunOf,
  normalLocalTime,
  parseLocalTime,
  wallTimeText,
} from '../../../domain/digest-time';
import type { DigestService } from '../../../usecases/digest/digest-service';
import type { DigestSubscriptionStore } from '../../../usecases/digest/ports';
import type { DigestSubscription } from '../../../domain/digest';
import { channelConversationId, type ConversationTarget } from '../../../domain/conversation';
import type { Actor, BotCommand, CommandReply } from '../bot-types';
import { errorCard } from '../error-card';
import { clipText } from '../text';

const USAGE =
  'Type **digest now**, **digest subscribe [HH:MM] [time zone]** (e.g. digest subscribe 08:30 Europe/Paris), **digest unsubscribe** or **digest status**.';

export interface DigestCommandDeps {
  digests: DigestService;
  subscriptions: DigestSubscriptionStore;
  /** Only admins subscribe and post digests: the card shows per-user data. */
  adminGate: (actor: Actor) => AdminDecision;
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

      let time: string | undefined;
      let zoneWord: string | undefined;
      for (const word of rest) {
        if (parseLocalTime(word)) time = normalLocalTime(word) ?? undefined;
        else if (/^\d{1,2}:\d{1,2}$/.test(word))
          return [
            {
              kind: 'text',
              text: `"${clipText(word, 20)}" is not a time of day: use HH:MM on a 24-hour clock, e.g. 08:30.`,
            },
          ];
        else zoneWord = zoneWord === undefined ? word : `${zoneWord} ${word}`;
      }
      const zone =
        zoneWord !== undefined ? canonicalTimeZone(zoneWord) : (canonicalTimeZone(request.timeZone ?? '') ?? 'UTC');
      if (!zone)
        return [
          {
            kind: 'text',
            text: `"${clipText(zoneWord ?? '', 60)}" is not a time zone I know. Use an IANA name such as Europe/Paris, America/New_York or UTC.`,
          },
        ];
      const localTime = time ?? normalLocalTime(deps.defaultTime) ?? '08:00';
      const clockNow = localClock(now, zone);
      const [h, m] = localTime.split(':').map(Number);
      const sub = deps.subscriptions.subscribe(
        {
          conversationId,
          localTime,
          timeZone: zone,
          createdBy: request.actor.aadObjectId ?? request.actor.id,
          target,
          skipDay: clockNow.minuteOfDay >= h * 60 + m ? clockNow.day : null,
        },
        now,
      );
      return [{ kind: 'text', text: `Subscribed. ${statusText(sub, now)}` }];
    },
  };
}

/** Digests go to the channel, not into the thread the command was typed in. */
function channelTarget(reply: ConversationTarget): ConversationTarget {
  return { ...reply, conversation: { ...reply.conversation, id: channelConversationId(reply.conversation.id) } };
}

export function statusText(sub: DigestSubscription | undefined, now: Date): string {
  if (!sub)
    return 'This conversation has no daily digest. An admin can start one with **digest subscribe [HH:MM] [time zone]**.';
  const lines = [`**Daily digest**: every day at ${sub.localTime} ${sub.timeZone}.`];
  if (sub.status === 'paused') {
    lines.push(
      `**Paused** since ${sub.pausedAt ?? 'an unknown time'}: ${sub.pausedReason ?? 'no reason recorded'}`,
      'Type **digest subscribe** to resume (after adding Seat Steward back if it was removed).',
    );
  } else {
    const next = nextRunOf(sub, now);
    lines.push(`Next: ${wallTimeText(next.at, sub.timeZone)} ${sub.timeZone} (${wallTimeText(next.at, 'UTC')} UTC).`);
  }
  lines.push(
    sub.lastDeliveredAt
      ? `Last delivered: ${wallTimeText(new Date(sub.lastDeliveredAt), 'UTC')} UTC${sub.lastDeliveredDay ? ` (the ${sub.lastDeliveredDay} digest)` : ''}.`
      : 'Last delivered: never.',
  );
  return lines.join('\n\n');
}
