import { SKU } from './constants';
import type { GraphUser } from './model';

/**
 * Who does what in the demo tenant, dated relative to `today` so the demo never goes stale.
 * Every activity source the demo serves (Copilot and Microsoft 365 usage reports, audit log
 * CopilotInteraction records, the Management Activity API, sign-ins) reads this one story, so
 * they agree with each other the way a real tenant's sources do.
 *
 * Days are absolute (days since the epoch), and whether a user was active on a day is a hash of
 * (user, day): a record seen yesterday is the same record today, which incremental audit reads need.
 */

export const COPILOT_APPS = [
  'teams',
  'word',
  'excel',
  'powerPoint',
  'outlook',
  'oneNote',
  'loop',
  'copilotChat',
] as const;
export type CopilotApp = (typeof COPILOT_APPS)[number];

/** The AppHost an audit CopilotInteraction record carries for each app. */
export const APP_HOSTS: Record<CopilotApp, string> = {
  teams: 'Teams',
  word: 'Word',
  excel: 'Excel',
  powerPoint: 'PowerPoint',
  outlook: 'Outlook',
  oneNote: 'OneNote',
  loop: 'Loop',
  copilotChat: 'BizChat',
};

export const M365_SERVICES = [
  'exchange',
  'oneDrive',
  'sharePoint',
  'teams',
  'yammer',
  'word',
  'excel',
  'powerPoint',
  'outlook',
  'oneNote',
] as const;
export type M365Service = (typeof M365_SERVICES)[number];

/**
 * The Copilot stories an admin recognises:
 * - daily: power users, active every working day;
 * - weekly: a couple of days a week;
 * - fading: used it, stopped 30 to 89 days ago;
 * - lapsed: stopped 90 days ago or more;
 * - never: holds a seat, never used it;
 * - new_seat: seat assigned a few days ago, not used yet;
 * - audit_only: the report (refreshed two days ago) shows nothing recent, but the audit log has
 *   interactions since the refresh;
 * - disabled: the account is disabled and still holds a seat.
 */
export type CopilotProfile =
  'daily' | 'weekly' | 'fading' | 'lapsed' | 'never' | 'new_seat' | 'audit_only' | 'disabled';

/** Microsoft 365 (non-Copilot) activity: heavy users are the best seat candidates. */
export type M365Profile = 'heavy' | 'regular' | 'light' | 'inactive';

export interface DemoUserActivity {
  /** Null when the user holds no Copilot seat. */
  copilot: CopilotProfile | null;
  m365: M365Profile;
  /** Uses Copilot Chat without a Copilot licence: only the audit log shows it. */
  unlicensedChat: boolean;
  /** Copilot activity: days ago (relative to `today`) of the latest and earliest active day, or null. */
  copilotWindow: { latest: number; earliest: number; frequency: number; apps: CopilotApp[]; perDay: number } | null;
  /** Microsoft 365 activity window, per the same rules. */
  m365Window: { latest: number; earliest: number; frequency: number; services: M365Service[] } | null;
  /** For new_seat: the Copilot seat was assigned this many days ago. */
  seatAssignedDaysAgo: number | null;
}

export interface DemoActivity {
  /** UTC day the story is told from (YYYY-MM-DD). */
  today: string;
  /** The reports' reportRefreshDate: Microsoft's reports lag; two days is typical. */
  reportRefreshDate: string;
  /** Days between reportRefreshDate and today. */
  reportLagDays: number;
  /** Aligned with DemoTenantData.users. */
  users: DemoUserActivity[];
}

export const DAY_MS = 86_400_000;
export const REPORT_LAG_DAYS = 2;
/** How far back the story's activity goes (Audit Standard keeps 180 days). */
export const HISTORY_DAYS = 180;

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function dayNumber(isoDay: string): number {
  return Math.floor(Date.parse(`${isoDay}T00:00:00Z`) / DAY_MS);
}

export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** A 32-bit hash of a string and numbers (FNV-1a then a finaliser): stable across runs and processes. */
export function hash32(text: string, ...numbers: number[]): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  for (const n of numbers) {
    h ^= n | 0;
    h = Math.imul(h, 0x01000193);
    h ^= (n / 4294967296) | 0;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1) from a hash. */
export function unit(text: string, ...numbers: number[]): number {
  return hash32(text, ...numbers) / 4294967296;
}

const holdsCopilot = (user: GraphUser): boolean => user.assignedLicenses.some((l) => l.skuId === SKU.COPILOT);

/** Share of seat holders per profile (enabled accounts); disabled holders are always 'disabled'. */
const COPILOT_MIX: Array<[CopilotProfile, number]> = [
  ['daily', 0.34],
  ['weekly', 0.22],
  ['fading', 0.12],
  ['lapsed', 0.07],
  ['never', 0.11],
  ['new_seat', 0.06],
  ['audit_only', 0.08],
];

const M365_MIX: Array<[M365Profile, number]> = [
  ['heavy', 0.3],
  ['regular', 0.45],
  ['light', 0.17],
  ['inactive', 0.08],
];

function pickWeighted<T>(mix: Array<[T, number]>, r: number): T {
  let left = r;
  for (const [value, weight] of mix) {
    left -= weight;
    if (left < 0) return value;
  }
  return (mix[mix.length - 1] as [T, number])[0];
}

function between(r: number, low: number, high: number): number {
  return low + Math.floor(r * (high - low + 1));
}

function copilotWindow(profile: CopilotProfile, id: string, lag: number): DemoUserActivity['copilotWindow'] {
  const r = (k: number): number => unit(id, 101, k);
  const apps = COPILOT_APPS.filter((_, i) => r(10 + i) < (profile === 'daily' ? 0.75 : 0.45));
  if (apps.length === 0) apps.push(COPILOT_APPS[between(r(9), 0, COPILOT_APPS.length - 1)] as CopilotApp);
  switch (profile) {
    case 'daily':
      return { latest: 0, earliest: HISTORY_DAYS, frequency: 0.85, apps, perDay: between(r(1), 3, 8) };
    case 'weekly':
      return { latest: between(r(1), 0, 4), earliest: HISTORY_DAYS, frequency: 0.3, apps, perDay: between(r(2), 1, 3) };
    case 'fading': {
      const latest = between(r(1), 32, 85);
      return {
        latest,
        earliest: Math.min(HISTORY_DAYS, latest + between(r(2), 20, 80)),
        frequency: 0.25,
        apps,
        perDay: 1,
      };
    }
    case 'lapsed': {
      const latest = between(r(1), 95, 150);
      return {
        latest,
        earliest: Math.min(HISTORY_DAYS, latest + between(r(2), 10, 30)),
        frequency: 0.2,
        apps,
        perDay: 1,
      };
    }
    case 'audit_only':
      // Only since the report's refresh date: the report says "never", the audit log says "today".
      return { latest: 0, earliest: lag - 1, frequency: 1, apps, perDay: between(r(2), 1, 4) };
    default:
      return null;
  }
}

function m365Window(profile: M365Profile, id: string): DemoUserActivity['m365Window'] {
  const r = (k: number): number => unit(id, 202, k);
  const services = M365_SERVICES.filter(
    (_, i) => r(10 + i) < (profile === 'heavy' ? 0.95 : profile === 'regular' ? 0.7 : 0.35),
  );
  if (services.length === 0) services.push('exchange');
  switch (profile) {
    case 'heavy':
      return { latest: 0, earliest: HISTORY_DAYS, frequency: 0.95, services };
    case 'regular':
      return { latest: between(r(1), 0, 3), earliest: HISTORY_DAYS, frequency: 0.6, services };
    case 'light':
      return { latest: between(r(1), 5, 25), earliest: HISTORY_DAYS, frequency: 0.15, services };
    default:
      return null;
  }
}

/**
 * Tells the story for a generated tenant. Pure: the same users and day give the same story.
 * Holders of a Copilot seat get a Copilot profile; about 4% of enabled members without one use
 * Copilot Chat (unlicensed); disabled accounts do nothing.
 */
export function generateActivity(users: readonly GraphUser[], today: Date): DemoActivity {
  const todayDay = utcDay(today);
  const out: DemoUserActivity[] = new Array<DemoUserActivity>(users.length);
  for (let i = 0; i < users.length; i++) {
    const user = users[i] as GraphUser;
    const id = user.id;
    const enabled = user.accountEnabled;
    const guest = user.userType === 'Guest';
    const copilot: CopilotProfile | null = holdsCopilot(user)
      ? enabled
        ? pickWeighted(COPILOT_MIX, unit(id, 1))
        : 'disabled'
      : null;
    let m365: M365Profile = !enabled || guest ? 'inactive' : pickWeighted(M365_MIX, unit(id, 2));
    // Someone who uses Copilot every day also reads mail.
    if ((copilot === 'daily' || copilot === 'weekly' || copilot === 'audit_only') && m365 === 'inactive')
      m365 = 'regular';
    const unlicensedChat = copilot === null && enabled && !guest && unit(id, 3) < 0.04;
    const window = copilot
      ? copilotWindow(copilot, id, REPORT_LAG_DAYS)
      : unlicensedChat
        ? {
            latest: between(unit(id, 4), 0, 6),
            earliest: 60,
            frequency: 0.35,
            apps: ['copilotChat' as const],
            perDay: between(unit(id, 5), 1, 3),
          }
        : null;
    out[i] = {
      copilot,
      m365,
      unlicensedChat,
      copilotWindow: window,
      m365Window: m365Window(m365, id),
      seatAssignedDaysAgo: copilot === 'new_seat' ? between(unit(id, 6), 1, 6) : null,
    };
  }
  tellEveryStory(users, out);
  const refresh = dayNumber(todayDay) - REPORT_LAG_DAYS;
  return { today: todayDay, reportRefreshDate: dayString(refresh), reportLagDays: REPORT_LAG_DAYS, users: out };
}

/**
 * A small tenant drawn at random can miss a story (24 seats hold no new seat about one time in
 * four), and the digest of `npm start` must show each one. Daily users, the biggest group, are
 * recast in tenant order into the missing profiles, with the same rules as if they had been drawn.
 */
function tellEveryStory(users: readonly GraphUser[], out: DemoUserActivity[]): void {
  const missing = COPILOT_MIX.map(([profile]) => profile).filter((p) => !out.some((a) => a.copilot === p));
  for (let i = 0; i < out.length && missing.length > 0; i++) {
    const a = out[i] as DemoUserActivity;
    if (a.copilot !== 'daily' || out.filter((o) => o.copilot === 'daily').length <= 1) continue;
    const profile = missing.shift() as CopilotProfile;
    const id = (users[i] as GraphUser).id;
    out[i] = {
      ...a,
      copilot: profile,
      copilotWindow: copilotWindow(profile, id, REPORT_LAG_DAYS),
      seatAssignedDaysAgo: profile === 'new_seat' ? between(unit(id, 6), 1, 6) : null,
    };
  }
}

/** Whether the user was active (Copilot when `kind` is 'copilot') on the day `daysAgo` days before today. */
export function activeOn(
  user: GraphUser,
  activity: DemoUserActivity,
  kind: 'copilot' | 'm365',
  daysAgo: number,
  todayNumber: number,
): boolean {
  const window = kind === 'copilot' ? activity.copilotWindow : activity.m365Window;
  if (!window || daysAgo < window.latest || daysAgo > window.earliest) return false;
  if (daysAgo === window.latest) return true;
  return unit(user.id, kind === 'copilot' ? 7 : 8, todayNumber - daysAgo) < window.frequency;
}

/**
 * The latest day (YYYY-MM-DD), at or before `asOfDay`, on which the user was active, optionally in
 * one app or service (an app is used on a hash-chosen subset of the active days). Null if none
 * within the story's history.
 */
export function lastActiveDay(
  user: GraphUser,
  activity: DemoUserActivity,
  kind: 'copilot' | 'm365',
  todayNumber: number,
  asOfDaysAgo: number,
  app?: string,
): string | null {
  const window = kind === 'copilot' ? activity.copilotWindow : activity.m365Window;
  if (!window) return null;
  const offered: readonly string[] =
    kind === 'copilot' ? (activity.copilotWindow?.apps ?? []) : (activity.m365Window?.services ?? []);
  if (app !== undefined && !offered.includes(app)) return null;
  const appSalt = app === undefined ? 0 : hash32(app);
  for (let daysAgo = Math.max(asOfDaysAgo, window.latest); daysAgo <= window.earliest; daysAgo++) {
    if (!activeOn(user, activity, kind, daysAgo, todayNumber)) continue;
    // The first app of a user is used every active day; others on about half of them.
    if (app !== undefined && offered[0] !== app && unit(user.id, 9, todayNumber - daysAgo, appSalt) >= 0.5) continue;
    return dayString(todayNumber - daysAgo);
  }
  return null;
}

/**
 * Whether the user used Copilot in `app` on the day `daysAgo` days before today: by the same rule
 * lastActiveDay applies (the first app on every active day, the others on about half of them), so
 * daily counts agree with the per-user report's dates.
 */
export function activeInAppOn(
  user: GraphUser,
  activity: DemoUserActivity,
  app: CopilotApp,
  daysAgo: number,
  todayNumber: number,
): boolean {
  const apps = activity.copilotWindow?.apps ?? [];
  if (!apps.includes(app) || !activeOn(user, activity, 'copilot', daysAgo, todayNumber)) return false;
  return apps[0] === app || unit(user.id, 9, todayNumber - daysAgo, hash32(app)) < 0.5;
}

/**
 * Applies the story's consequences to the directory: sign-ins match the activity, new seats were
 * assigned a few days ago. Mutates `users`.
 */
export function applyActivityToDirectory(users: GraphUser[], activity: DemoActivity): void {
  const todayNumber = dayNumber(activity.today);
  const atHour = (day: number, salt: string): string => {
    const seconds = Math.floor(unit(salt, day) * 9 * 3600) + 7 * 3600;
    return new Date(day * DAY_MS + seconds * 1000).toISOString().replace('.000Z', 'Z');
  };
  for (let i = 0; i < users.length; i++) {
    const user = users[i] as GraphUser;
    const story = activity.users[i] as DemoUserActivity;
    if (story.seatAssignedDaysAgo !== null) {
      const assigned = atHour(todayNumber - story.seatAssignedDaysAgo, user.id);
      for (const state of user.licenseAssignmentStates)
        if (state.skuId === SKU.COPILOT) state.lastUpdatedDateTime = assigned;
    }
    if (!user.accountEnabled || user.signInActivity === undefined || user.signInActivity?.lastSignInDateTime === null)
      continue;
    const latest = Math.min(story.m365Window?.latest ?? Infinity, story.copilotWindow?.latest ?? Infinity);
    if (!Number.isFinite(latest)) continue;
    const signIn = atHour(todayNumber - latest, `${user.id}:signin`);
    user.signInActivity = {
      lastSignInDateTime: signIn,
      lastNonInteractiveSignInDateTime: signIn,
      lastSuccessfulSignInDateTime: signIn,
    };
  }
}
