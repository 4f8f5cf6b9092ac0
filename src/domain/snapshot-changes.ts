import { isActiveAssignment } from './directory';
import type { JsonValue, WebhookEventInput, WebhookEventType } from './webhook-events';

/**
 * What changed in a tenant's directory between its published snapshot and the next one: the
 * rules behind the `m365.user.*` and `m365.license.*` webhook events.
 */

/** One user as a snapshot holds them, with each way they hold a SKU (only the users that may have changed). */
export interface UserHoldings {
  userId: string;
  userPrincipalName: string;
  displayName: string | null;
  licences: Array<{
    skuId: string;
    /** '' for a direct assignment. */ assignedByGroupId: string;
    state: string | null;
  }>;
}

export interface ChangedUser {
  userId: string;
  userPrincipalName: string;
  displayName: string | null;
}

export interface UserChange {
  change: 'created' | 'deleted';
  user: ChangedUser;
}

/** How a user holds (or held, for an unassignment) a SKU: directly, through groups, or both. */
export interface AssignmentPath {
  direct: boolean;
  groupIds: string[];
}

export interface LicenceChange {
  change: 'assigned' | 'unassigned';
  user: ChangedUser;
  skuId: string;
  assignedVia: AssignmentPath;
}

export interface DirectoryChanges {
  users: UserChange[];
  licences: LicenceChange[];
}

/**
 * What one sync changed, as the snapshot writer worked it out. `baseline`: the tenant had no
 * published snapshot, so there is nothing to compare with and no change is reported (a first
 * sync of 10,000 users is not 10,000 "user created" events).
 */
export type SnapshotChangeSet =
  | { baseline: true }
  | {
      baseline: false;
      /** The published snapshot the new one was compared with (its sync run id). */
      fromSnapshotId: number;
      changes: DirectoryChanges;
      /** sku_part_number per SKU id, from both snapshots (a SKU the tenant dropped keeps its name). */
      skuPartNumbers: Record<string, string>;
    };

/**
 * The SKUs a user holds in effect, with how: an assignment in error or disabled (isActiveAssignment)
 * gives the user nothing, so it is not "assigned". Several rows of one SKU (direct and through
 * groups) are one holding.
 */
function holdings(user: UserHoldings): Map<string, AssignmentPath> {
  const held = new Map<string, AssignmentPath>();
  for (const l of user.licences) {
    if (!isActiveAssignment(l.state)) continue;
    const key = l.skuId.toLowerCase();
    let path = held.get(key);
    if (!path) held.set(key, (path = { direct: false, groupIds: [] }));
    if (l.assignedByGroupId === '') path.direct = true;
    else if (!path.groupIds.includes(l.assignedByGroupId)) path.groupIds.push(l.assignedByGroupId);
  }
  for (const path of held.values()) path.groupIds.sort();
  return held;
}

/**
 * The changes between two snapshots, given the users that may have changed as each snapshot holds
 * them (a user missing from `before` was created, missing from `after` deleted). Per user and SKU:
 * a SKU held now and not before is assigned, held before and not now unassigned; a change of path
 * only (direct to group) or of disabled plans is neither. A created user's SKUs are assigned, a
 * deleted user's unassigned: the seat is taken or freed either way. Sorted by user id, then SKU.
 */
export function directoryChanges(before: readonly UserHoldings[], after: readonly UserHoldings[]): DirectoryChanges {
  const old = new Map(before.map((u) => [u.userId, u]));
  const now = new Map(after.map((u) => [u.userId, u]));
  const ids = [...new Set([...old.keys(), ...now.keys()])].sort();
  const users: UserChange[] = [];
  const licences: LicenceChange[] = [];
  for (const id of ids) {
    const was = old.get(id);
    const is = now.get(id);
    const user = identity((is ?? was) as UserHoldings);
    if (!was) users.push({ change: 'created', user });
    if (!is) users.push({ change: 'deleted', user });
    const heldBefore = was ? holdings(was) : new Map<string, AssignmentPath>();
    const heldNow = is ? holdings(is) : new Map<string, AssignmentPath>();
    const skus = [...new Set([...heldBefore.keys(), ...heldNow.keys()])].sort();
    for (const skuId of skus) {
      const previous = heldBefore.get(skuId);
      const current = heldNow.get(skuId);
      if (current && !previous) licences.push({ change: 'assigned', user, skuId, assignedVia: current });
      if (previous && !current) licences.push({ change: 'unassigned', user, skuId, assignedVia: previous });
    }
  }
  return { users, licences };
}

function identity(u: UserHoldings): ChangedUser {
  return { userId: u.userId, userPrincipalName: u.userPrincipalName, displayName: u.displayName };
}

/**
 * Makes an event id from the parts that identify one change. Supplied by the caller (a hash), so
 * that the same change seen again yields the same id and is recorded once.
 */
export type EventIdOf = (parts: readonly (string | number)[]) => string;

/** The events a sync's directory changes produce. */
export const DIRECTORY_CHANGE_EVENTS = [
  'm365.user.created',
  'm365.user.deleted',
  'm365.license.assigned',
  'm365.license.unassigned',
] as const satisfies readonly WebhookEventType[];

/**
 * The webhook events of a sync's changes. Each id is derived from the tenant, the snapshot the
 * change is measured FROM, and the change: a sync that fails after recording them and is run
 * again compares with the same snapshot, finds the same changes and yields the same ids, which
 * the event log records once. A baseline yields none.
 */
export function snapshotChangeEvents(
  tenantId: string,
  syncRunId: number,
  set: SnapshotChangeSet,
  occurredAt: string,
  idOf: EventIdOf,
): WebhookEventInput[] {
  if (set.baseline) return [];
  const events: WebhookEventInput[] = [];
  const from = set.fromSnapshotId;
  for (const c of set.changes.users) {
    events.push({
      id: idOf([tenantId, from, `user.${c.change}`, c.user.userId]),
      type: c.change === 'created' ? 'm365.user.created' : 'm365.user.deleted',
      tenantId,
      occurredAt,
      data: { ...userData(c.user), sync_run_id: syncRunId },
    });
  }
  for (const c of set.changes.licences) {
    events.push({
      id: idOf([tenantId, from, `license.${c.change}`, c.user.userId, c.skuId]),
      type: c.change === 'assigned' ? 'm365.license.assigned' : 'm365.license.unassigned',
      tenantId,
      occurredAt,
      data: {
        ...userData(c.user),
        sku_id: c.skuId,
        sku_part_number: set.skuPartNumbers[c.skuId] ?? null,
        assigned_via: assignedVia(c.assignedVia),
        group_ids: c.assignedVia.groupIds,
        sync_run_id: syncRunId,
      },
    });
  }
  return events;
}

function userData(u: ChangedUser): { [key: string]: JsonValue } {
  return { user_id: u.userId, user_principal_name: u.userPrincipalName, display_name: u.displayName };
}

function assignedVia(path: AssignmentPath): string[] {
  return [...(path.direct ? ['direct'] : []), ...(path.groupIds.length > 0 ? ['group'] : [])];
}

/** A duration as seed 000's `sync_duration`: "HH:MM:SS" (hours past 99 keep counting). */
export function syncDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(total / 3600))}:${two(Math.floor((total % 3600) / 60))}:${two(total % 60)}`;
}
