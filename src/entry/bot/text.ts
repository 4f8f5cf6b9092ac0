/** Cuts text an admin typed before echoing it, so a pasted essay does not become the reply. */
export function clipText(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

export const BOT_NAME = 'Seat Steward';

export function mentionHint(personal: boolean): string {
  return personal ? '' : `Mention @${BOT_NAME}, then type a command.`;
}
