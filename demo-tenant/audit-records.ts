import { APP_HOSTS, DAY_MS, activeOn, dayNumber, hash32, unit, type DemoUserActivity } from './activity';
import type { DemoTenantData, GraphUser } from './model';

/**
 * The demo tenant's CopilotInteraction audit records, derived from the activity story: a user
 * active in Copilot on a day has `perDay` (times the audit scale) interactions that day, at
 * working hours, each in one of the user's apps. A record is a pure function of (user, day, n),
 * so its id is the same on every read: re-reads and overlapping windows yield the same records.
 */
export interface DemoAuditRecord {
  id: string;
  user: GraphUser;
  /** Epoch ms. */
  at: number;
  appHost: string;
}

/** Position in the enumeration (user index, day number, interaction number): what a skiptoken holds. */
export interface AuditPosition {
  u: number;
  d: number;
  n: number;
}

const hex = (value: number, width: number): string => value.toString(16).padStart(8, '0').slice(0, width);

/** A GUID-shaped id, stable per user, day and interaction. */
export function auditRecordId(userId: string, day: number, n: number): string {
  const a = hash32(userId, day, n, 1);
  const b = hash32(userId, day, n, 2);
  const c = hash32(userId, day, n, 3);
  const d = hash32(userId, day, n, 4);
  return `${hex(a, 8)}-${hex(b, 4)}-4${hex(b >>> 16, 3)}-a${hex(c, 3)}-${hex(c >>> 12, 4)}${hex(d, 8)}`;
}

function recordOf(user: GraphUser, story: DemoUserActivity, day: number, n: number): DemoAuditRecord {
  const apps = story.copilotWindow?.apps ?? ['copilotChat'];
  const seconds = 7 * 3600 + Math.floor(unit(user.id, 31, day, n) * 9 * 3600);
  const app = apps[hash32(user.id, 32, day, n) % apps.length] ?? 'copilotChat';
  return { id: auditRecordId(user.id, day, n), user, at: day * DAY_MS + seconds * 1000, appHost: APP_HOSTS[app] };
}

export function auditScale(data: DemoTenantData): number {
  return Math.max(1, Math.floor(data.audit?.scale ?? 1));
}

/**
 * Up to `limit` records with `start <= at < end`, from `from` on, in (user, day, n) order, and the
 * position after the last one (null when there are no more). Nothing is materialised beyond the page.
 */
export function auditRecordsPage(
  data: DemoTenantData,
  start: number,
  end: number,
  from: AuditPosition | null,
  limit: number,
): { records: DemoAuditRecord[]; next: AuditPosition | null } {
  const activity = data.activity;
  const records: DemoAuditRecord[] = [];
  if (!activity || end <= start) return { records, next: null };
  const today = dayNumber(activity.today);
  const firstDay = Math.floor(start / DAY_MS);
  const lastDay = Math.min(Math.floor((end - 1) / DAY_MS), today);
  const scale = auditScale(data);
  for (let u = from?.u ?? 0; u < data.users.length; u++) {
    const user = data.users[u] as GraphUser;
    const story = activity.users[u];
    if (!story?.copilotWindow) continue;
    const perDay = story.copilotWindow.perDay * scale;
    const resumeDay = from && u === from.u ? from.d : firstDay;
    for (let day = Math.max(firstDay, resumeDay); day <= lastDay; day++) {
      if (!activeOn(user, story, 'copilot', today - day, today)) continue;
      const resumeN = from && u === from.u && day === from.d ? from.n : 0;
      for (let n = resumeN; n < perDay; n++) {
        const record = recordOf(user, story, day, n);
        if (record.at < start || record.at >= end) continue;
        if (records.length === limit) return { records, next: { u, d: day, n } };
        records.push(record);
      }
    }
  }
  return { records, next: null };
}

/** The records a test added beyond the story, in a window, optionally for some users only (lower-case UPNs). */
export function extraAuditRecords(
  data: DemoTenantData,
  start: number,
  end: number,
  upns: ReadonlySet<string> | null,
): DemoAuditRecord[] {
  const out: DemoAuditRecord[] = [];
  for (const extra of data.audit?.extraRecords ?? []) {
    const at = Date.parse(extra.at);
    const user = data.users.find((u) => u.id.toLowerCase() === extra.userId.toLowerCase());
    if (!user || at < start || at >= end) continue;
    if (upns && !upns.has(user.userPrincipalName.toLowerCase())) continue;
    out.push({ id: extra.id, user, at, appHost: extra.appHost });
  }
  return out;
}

/** Every record in a window, for tests and blobs (small windows only). */
export function auditRecordsIn(data: DemoTenantData, start: number, end: number): DemoAuditRecord[] {
  return [
    ...auditRecordsPage(data, start, end, null, Number.MAX_SAFE_INTEGER).records,
    ...extraAuditRecords(data, start, end, null),
  ];
}

/**
 * A CopilotInteraction record in the Office 365 audit common schema, as the Management Activity
 * API serves it and as Graph's audit log query nests it in `auditData`: CreationTime in UTC
 * without a zone designator, RecordType 261, the app host in CopilotEventData.
 */
export function copilotInteractionAuditData(tenantId: string, r: DemoAuditRecord): Record<string, unknown> {
  return {
    CreationTime: new Date(r.at).toISOString().slice(0, 19),
    Id: r.id,
    Operation: 'CopilotInteraction',
    OrganizationId: tenantId,
    RecordType: 261,
    UserKey: r.user.id,
    UserType: 0,
    Version: 1,
    Workload: 'Copilot',
    UserId: r.user.userPrincipalName,
    CopilotEventData: { AppHost: r.appHost, Contexts: [], AccessedResources: [], Messages: [] },
  };
}
