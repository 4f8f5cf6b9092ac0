import { channelConversationId, type ConversationTarget } from '../../../domain/conversation';
import type { DigestLayout, DigestSubscription } from '../../../domain/digest';
import {
  canonicalTimeZone,
  localClock,
  nextRunOf,
  normalLocalTime,
  parseLocalTime,
  wallTimeText,
} from '../../../domain/digest-time';
import type { DigestSubscriptionStore } from '../../../usecases/digest/ports';
import type { CommandReply, CommandRequest } from '../bot-types';
import { clipText } from '../text';

/**
 * A conversation's one daily subscription, shared by `digest subscribe` (a card per tenant) and
 * `portfolio subscribe` (one card ranking every tenant): subscribing with either sets its layout.
 */

/** Digests go to the channel, not into the thread the command was typed in. */
export function channelTarget(reply: ConversationTarget): ConversationTarget {
  return { ...reply, conversation: { ...reply.conversation, id: channelConversationId(reply.conversation.id) } };
}

/** `… subscribe [HH:MM] [time zone]`: the words after "subscribe" parsed, and the subscription saved. */
export function subscribeHere(
  deps: { subscriptions: DigestSubscriptionStore; defaultTime: string },
  request: CommandRequest,
  words: readonly string[],
  layout: DigestLayout,
  now: Date,
): CommandReply[] {
  let time: string | undefined;
  let zoneWord: string | undefined;
  for (const word of words) {
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
  const target = channelTarget(request.replyTarget);
  const sub = deps.subscriptions.subscribe(
    {
      conversationId: target.conversation.id,
      localTime,
      timeZone: zone,
      createdBy: request.actor.aadObjectId ?? request.actor.id,
      target,
      skipDay: clockNow.minuteOfDay >= h * 60 + m ? clockNow.day : null,
      layout,
    },
    now,
  );
  return [{ kind: 'text', text: `Subscribed. ${statusText(sub, now)}` }];
}

export function statusText(sub: DigestSubscription | undefined, now: Date): string {
  if (!sub)
    return 'This conversation has no daily digest. An admin can start one with **digest subscribe [HH:MM] [time zone]** (a card per tenant) or **portfolio subscribe [HH:MM] [time zone]** (one card ranking every tenant).';
  const what = sub.layout === 'portfolio' ? '**Daily portfolio** (one card ranking every tenant)' : '**Daily digest**';
  const lines = [`${what}: every day at ${sub.localTime} ${sub.timeZone}.`];
  if (sub.status === 'paused') {
    lines.push(
      `**Paused** since ${sub.pausedAt ?? 'an unknown time'}: ${sub.pausedReason ?? 'no reason recorded'}`,
      `Type **${sub.layout === 'portfolio' ? 'portfolio' : 'digest'} subscribe** to resume (after adding Seat Steward back if it was removed).`,
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
