/**
 * Local times of day in IANA time zones, for digests posted "at 08:00 where the channel is".
 * Pure: Intl gives the zone rules, so daylight saving time needs no table of our own.
 */

/** "HH:MM" on a 24-hour clock; null when it is not one. */
export function parseLocalTime(text: string): { hours: number; minutes: number } | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  if (hours > 23 || minutes > 59) return null;
  return { hours, minutes };
}

/** "8:5" and "08:05" both become "08:05", the stored form. */
export function normalLocalTime(text: string): string | null {
  const t = parseLocalTime(text);
  return t ? `${pad(t.hours)}:${pad(t.minutes)}` : null;
}

/** The zone with its canonical capitals (e.g. "europe/paris" -> "Europe/Paris"), or null when Intl does not know it. */
export function canonicalTimeZone(zone: string): string | null {
  const z = zone.trim();
  if (z === '' || !/^[A-Za-z0-9_+\-/]+$/.test(z)) return null;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: z }).resolvedOptions().timeZone;
    // ICU resolves some current names to legacy ones (Asia/Kolkata -> Asia/Calcutta): keep the name as typed then.
    return resolved.toLowerCase() === z.toLowerCase() ? resolved : z;
  } catch {
    return null;
  }
}

export interface LocalClock {
  /** YYYY-MM-DD in the zone. */
  day: string;
  /** Minutes since local midnight. */
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(
  at: Date,
  zone: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(at)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year, month: out.month, day: out.day, hour: out.hour, minute: out.minute, second: out.second };
}

export function localClock(at: Date, zone: string): LocalClock {
  const p = partsIn(at, zone);
  return { day: `${p.year}-${pad(p.month)}-${pad(p.day)}`, minuteOfDay: p.hour * 60 + p.minute };
}

/** The zone's offset from UTC at `at`, in ms (positive east of Greenwich). */
function offsetMs(at: Date, zone: string): number {
  const p = partsIn(at, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant of local `time` on local `day` in `zone`. A time skipped by a spring-forward change
 * comes out as the first instant after the gap; a time that occurs twice (fall back), the first one.
 */
export function instantOf(day: string, time: string, zone: string): Date {
  const t = parseLocalTime(time);
  if (!t) throw new Error(`"${time}" is not a time of day (HH:MM).`);
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d, t.hours, t.minutes);
  // Two rounds settle on the offset in force at that wall time (the first guess uses the offset 12 h earlier, so a fall-back day picks the earlier instant).
  let guess = wall - offsetMs(new Date(wall - 12 * 3_600_000), zone);
  guess = wall - offsetMs(new Date(guess), zone);
  const check = localClock(new Date(guess), zone);
  if (check.day !== day || check.minuteOfDay !== t.hours * 60 + t.minutes) {
    // In a gap: the wall time does not exist; the offset after the change gives the first real instant after it.
    const after = wall - offsetMs(new Date(guess + 3 * 3_600_000), zone);
    return new Date(Math.max(after, guess));
  }
  return new Date(guess);
}

/** The local day after `day` (YYYY-MM-DD). */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * The local day whose digest is due at `now`: today (in the zone) once its time has come, unless
 * that day was already queued. Null when nothing is due. A day missed entirely (the app was down
 * from before the time until after midnight) is not posted late: the next digest is the next day's.
 */
export function dueDay(sub: { localTime: string; timeZone: string; lastDay: string | null }, now: Date): string | null {
  const clock = localClock(now, sub.timeZone);
  const t = parseLocalTime(sub.localTime);
  if (!t) return null;
  if (clock.minuteOfDay < t.hours * 60 + t.minutes) return null;
  if (sub.lastDay !== null && sub.lastDay >= clock.day) return null;
  return clock.day;
}

/** When the next digest goes out: today's (at the next tick if its time has passed unsent), else tomorrow's. */
export function nextRunOf(
  sub: { localTime: string; timeZone: string; lastDay: string | null },
  now: Date,
): { day: string; at: Date } {
  const today = localClock(now, sub.timeZone).day;
  const todayAt = instantOf(today, sub.localTime, sub.timeZone);
  if (sub.lastDay === null || sub.lastDay < today)
    return { day: today, at: todayAt.getTime() > now.getTime() ? todayAt : now };
  const tomorrow = nextDay(today);
  return { day: tomorrow, at: instantOf(tomorrow, sub.localTime, sub.timeZone) };
}

/** "08:00 Europe/Paris (07:00 UTC)"-style text parts. */
export function wallTimeText(at: Date, zone: string): string {
  const p = partsIn(at, zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
