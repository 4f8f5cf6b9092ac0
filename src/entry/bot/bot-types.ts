import type { z } from 'zod';
import type { AdaptiveCardJson } from '../../cards/render';
import { errorCard } from './error-card';
import type { CommandName } from './command-parser';
import type { ConversationTarget } from '../../domain/conversation';

/** What a command answers: each card goes in its own message (Teams' 28 KB limit is per message). */
export type CommandReply = { kind: 'card'; card: AdaptiveCardJson } | { kind: 'text'; text: string };

/** Who sent the activity, as Teams identifies them (activity.from). */
export interface Actor {
  /** Teams user id (from.id). */
  id: string;
  /** Entra object id (from.aadObjectId); absent outside Teams. */
  aadObjectId?: string;
  name?: string;
}

export interface CommandRequest {
  /** Who typed it. */
  actor: Actor;
  /** What followed the command word, e.g. a tenant name for "status contoso". */
  argument: string;
  /** In a personal chat the bot needs no @mention. */
  personal: boolean;
  /** Where a later post about this request (a sync result) goes. */
  replyTarget: ConversationTarget;
  /** The sender's IANA time zone as Teams sends it (activity.localTimezone, or the clientInfo entity). */
  timeZone?: string;
  /** The activity's id, for an idempotency key of work the message asks for once. */
  requestId?: string;
}

/** One text command: a file in commands/. */
export interface BotCommand {
  name: CommandName;
  /** As shown in help, e.g. "status [tenant]". */
  usage: string;
  description: string;
  run(request: CommandRequest): Promise<CommandReply[]>;
}

export interface CardActionRequest {
  replyTarget: ConversationTarget;
  /** Pressed in a personal chat (not a group chat or channel every member reads). */
  personal: boolean;
  /** Who pressed the button: the invoke's own sender, never what the card's data claims. */
  actor: Actor;
}

/**
 * What a card action answers. A card replaces the pressed one (paging, a form's own error). A
 * button that opens another view from a card that must stay as it was (the digest) answers `post`:
 * the view goes out as a new message and the pressed card is left unchanged, the presser seeing
 * only `note`; `note` alone answers without posting anything (a refusal on such a button).
 */
export type CardActionAnswer =
  AdaptiveCardJson | { type: 'post'; card: AdaptiveCardJson; note: string } | { type: 'note'; note: string };

/**
 * One Action.Execute verb: a file in card-actions/. Card data can be stale or tampered with, so
 * it is parsed with `data` first; the handler only ever sees valid data.
 */
export interface CardAction<Data> {
  verb: string;
  data: z.ZodType<Data>;
  /** The error card's text when the data does not parse. */
  invalidData: { title: string; message: string };
  run(data: Data, request: CardActionRequest): Promise<CardActionAnswer>;
}

/** A card action with its data type sealed in, so actions of different data share one list. */
export interface RegisteredCardAction {
  verb: string;
  /** Parses the card's data first: invalid data gets the action's error card and runs nothing. */
  run(data: unknown, request: CardActionRequest): Promise<CardActionAnswer>;
}

export function registerCardAction<Data>(action: CardAction<Data>): RegisteredCardAction {
  return {
    verb: action.verb,
    async run(data, request) {
      const parsed = action.data.safeParse(data);
      if (!parsed.success) return errorCard(action.invalidData.title, action.invalidData.message);
      return action.run(parsed.data, request);
    },
  };
}
