/**
 * The longest wait a Retry-After is taken at: past it the value is more likely a broken header or a
 * clock far off than a real request to wait, and a job or read must not sleep for weeks on it.
 */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;

/**
 * A Retry-After as a delay from `now`, in milliseconds: seconds (a number, or digits as the header
 * sends them) or a moment (a Date, or an HTTP-date). A moment already past is 0; anything longer
 * than `maxMs` is `maxMs`. Undefined when it says nothing usable (absent, negative, a decimal
 * header, garbage), so the caller falls back to its own backoff.
 */
export function retryAfterMs(
  value: number | Date | string | null | undefined,
  now: Date,
  maxMs = MAX_RETRY_AFTER_MS,
): number | undefined {
  const clamp = (ms: number): number => Math.min(Math.max(0, ms), maxMs);
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number')
    return Number.isFinite(value) && value >= 0 ? clamp(Math.ceil(value * 1000)) : undefined;
  if (value instanceof Date) {
    const at = value.getTime();
    return Number.isNaN(at) ? undefined : clamp(at - now.getTime());
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return clamp(Number(text) * 1000);
  // Only a real date: Date.parse also accepts things like "-1" or "1.5".
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : clamp(at - now.getTime());
}
