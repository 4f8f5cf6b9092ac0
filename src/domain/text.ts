/**
 * Text shown to people (card lines, chat echoes, reasons from Graph) is cut to a length counted in
 * user-perceived characters (grapheme clusters), so a cut never splits an emoji, a flag, a
 * skin-tone or ZWJ sequence, or a letter from its combining accent.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The text's user-perceived characters, in order. */
export function graphemesOf(text: string): string[] {
  return Array.from(graphemes.segment(text), (s) => s.segment);
}

/**
 * `text` unchanged when it has at most `max` characters, else its first `max - 1` and an ellipsis,
 * so the result never exceeds `max` characters.
 */
export function clip(text: string, max: number): string {
  // Fast path: fewer UTF-16 units than the limit means fewer graphemes too.
  if (text.length <= max) return text;
  const chars = graphemesOf(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
