import { withoutControlCharacters } from '../input-text';

/**
 * Cuts text someone typed (or a card sent) before echoing it, so a pasted essay does not become the
 * reply, and drops control characters, which are never echoed (see input-text).
 */
export function clipText(text: string, max: number): string {
  const shown = withoutControlCharacters(text);
  const chars = Array.from(shown);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : shown;
}

export const BOT_NAME = 'Seat Steward';

export function mentionHint(personal: boolean): string {
  return personal ? '' : `Mention @${BOT_NAME}, then type a command.`;
}
