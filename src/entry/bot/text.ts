import { withoutControlCharacters } from '../input-text';
import { clip } from '../../domain/text';

/**
 * Cuts text someone typed (or a card sent) before echoing it, so a pasted essay does not become the
 * reply, and drops control characters, which are never echoed (see input-text).
 */
export function clipText(text: string, max: number): string {
  return clip(withoutControlCharacters(text), max);
}

export const BOT_NAME = 'Seat Steward';

export function mentionHint(personal: boolean): string {
  return personal ? '' : `Mention @${BOT_NAME}, then type a command.`;
}
