/**
 * The one rule for control characters in what callers send, shared by the REST API (which refuses
 * them in query parameters) and the bot (which refuses them in commands and never echoes them): a
 * NUL cut a search short, and an echoed ESC sequence ("\x1b[31m") is terminal markup, not text.
 * C0 (tab and line breaks included: the bot turns those into spaces before it checks), DEL and C1.
 */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

const CONTROL_CHARACTERS = new RegExp(CONTROL_CHARACTER.source, 'g');

export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}

/** The text with every control character removed, for anything echoed back. */
export function withoutControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, '');
}
