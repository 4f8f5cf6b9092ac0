/**
 * Teams renders card text as Markdown and drops anything that looks like an HTML tag, so a
 * placeholder such as "<upn>" would vanish ("reclaim " instead of "reclaim <upn>"). Angle quotes
 * survive every renderer and still read as "put your value here".
 */
export function keepPlaceholders(text: string): string {
  return text.replace(/<([A-Za-z][\w .…-]*)>/g, '‹$1›');
}
