import type { TokenService } from '../auth';
import { GraphError, readBody, sendGraphJson, type RequestContext } from '../http';
import type { GraphAssignedLicense, GraphGroup, GraphSubscribedSku, GraphUser } from '../model';
import type { Router } from '../router';
import { GRAPH_VERSIONS, authorized, metadataContext } from './common';

/** Application permissions Graph accepts for each write (any one suffices). */
export const WRITE_PERMISSIONS = {
  assignLicense: ['LicenseAssignment.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  groupMembers: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
} as const;

/**
 * Directory writes are throttled per app and tenant (Graph's identity and access service limits).
 * The demo keeps a token bucket over licence and membership writes: `perTenSeconds` writes, refilled
 * evenly. Default 3,000 per 10 s; `writeRate: false` in the data turns it off.
 */
export const DEFAULT_WRITES_PER_TEN_SECONDS = 3_000;

class WriteBucket {
  private tokens: number | undefined;
  private last = Date.now();

  take(perTenSeconds: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = Date.now();
    const rate = perTenSeconds / 10_000;
    this.tokens = Math.min(perTenSeconds, (this.tokens ?? perTenSeconds) + (now - this.last) * rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / rate / 1000)) };
  }
}

function userOrThrow(ctx: RequestContext, id: string): GraphUser {
  const user = ctx.store.findUser(id);
  if (!user)
    throw new GraphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
  return user;
}

function groupOrThrow(ctx: RequestContext, id: string): GraphGroup {
  const group = ctx.store.data.groups.find((g) => g.id.toLowerCase() === id.toLowerCase());
  if (!group)
    throw new GraphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
  return group;
}

async function jsonBody(ctx: RequestContext): Promise<Record<string, unknown>> {
  try {
    const parsed = JSON.parse(await readBody(ctx.req)) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to Graph's answer for an unreadable body
  }
  throw new GraphError(
    400,
    'BadRequest',
    'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
  );
}

function skuOf(ctx: RequestContext, skuId: string): GraphSubscribedSku | undefined {
  return ctx.store.data.subscribedSkus.find((s) => s.skuId.toLowerCase() === skuId.toLowerCase());
}

function freeUnits(sku: GraphSubscribedSku): number {
  return sku.prepaidUnits.enabled - sku.consumedUnits;
}

/** The user holds the SKU (directly or through a group) if any assignment state names it. */
function holds(user: GraphUser, skuId: string): boolean {
  return user.licenseAssignmentStates.some((s) => s.skuId.toLowerCase() === skuId.toLowerCase());
}

/** assignedLicenses is the union of every path's SKUs; a SKU leaves it when its last path goes. */
function syncAssignedLicenses(
  user: GraphUser,
  skuId: string,
  disabledPlans: string[] | null,
  consumed: (delta: number) => void,
): void {
  const key = skuId.toLowerCase();
  const had = user.assignedLicenses.some((l) => l.skuId.toLowerCase() === key);
  const has = holds(user, skuId);
  if (had && !has) {
    user.assignedLicenses = user.assignedLicenses.filter((l) => l.skuId.toLowerCase() !== key);
    consumed(-1);
  } else if (!had && has) {
    user.assignedLicenses = [
      ...user.assignedLicenses,
      { skuId, disabledPlans: disabledPlans ?? [] } satisfies GraphAssignedLicense,
    ];
    consumed(+1);
  }
}

export function registerLicenceWriteRoutes(router: Router, tokens: TokenService): void {
  const bucket = new WriteBucket();
  const throttle = (ctx: RequestContext): void => {
    const setting = ctx.store.data.writeRate;
    if (setting === false) return;
    const taken = bucket.take(setting?.perTenSeconds ?? DEFAULT_WRITES_PER_TEN_SECONDS);
    if (!taken.ok) throw new ThrottledWrite(taken.retryAfterSeconds);
  };
  const consumedOf = (ctx: RequestContext, skuId: string) => (delta: number) => {
    const sku = skuOf(ctx, skuId);
    if (sku) sku.consumedUnits = Math.max(0, sku.consumedUnits + delta);
  };

  for (const version of GRAPH_VERSIONS) {
    router.add(
      'POST',
      `/${version}/users/:id/assignLicense`,
      authorized(tokens, WRITE_PERMISSIONS.assignLicense, async (ctx) => {
        const body = await jsonBody(ctx);
        const add = Array.isArray(body.addLicenses)
          ? (body.addLicenses as Array<{ skuId?: unknown; disabledPlans?: unknown }>)
          : null;
        const remove = Array.isArray(body.removeLicenses) ? (body.removeLicenses as unknown[]) : null;
        if (!add || !remove)
          throw new GraphError(
            400,
            'Request_BadRequest',
            "Invalid value specified for property 'addLicenses' or 'removeLicenses' of resource 'User'.",
          );
        const user = userOrThrow(ctx, ctx.params.id as string);
        throttle(ctx);
        const now = new Date().toISOString();
        // Validate everything first: Graph applies an assignLicense call whole or not at all.
        for (const raw of remove) {
          const skuId = String(raw);
          const states = user.licenseAssignmentStates.filter((s) => s.skuId.toLowerCase() === skuId.toLowerCase());
          if (states.length === 0)
            throw new GraphError(400, 'Request_BadRequest', 'User does not have a corresponding license.');
          if (!states.some((s) => s.assignedByGroup === null)) {
            throw new GraphError(
              400,
              'Request_BadRequest',
              'User license is inherited from a group membership and it cannot be removed directly from the user.',
            );
          }
        }
        for (const lic of add) {
          const skuId = String(lic.skuId ?? '');
          const sku = skuOf(ctx, skuId);
          if (!sku)
            throw new GraphError(
              400,
              'Request_BadRequest',
              `License ${skuId} does not correspond to a valid company License.`,
            );
          const direct = user.licenseAssignmentStates.some(
            (s) => s.skuId.toLowerCase() === skuId.toLowerCase() && s.assignedByGroup === null,
          );
          if (!direct && !holds(user, skuId) && freeUnits(sku) < 1) {
            throw new GraphError(
              400,
              'Request_BadRequest',
              `Subscription with SKU ${skuId} does not have any available licenses.`,
            );
          }
        }
        for (const raw of remove) {
          const skuId = String(raw);
          user.licenseAssignmentStates = user.licenseAssignmentStates.filter(
            (s) => !(s.skuId.toLowerCase() === skuId.toLowerCase() && s.assignedByGroup === null),
          );
          syncAssignedLicenses(user, skuId, null, consumedOf(ctx, skuId));
        }
        for (const lic of add) {
          const skuId = String(lic.skuId);
          const disabledPlans = Array.isArray(lic.disabledPlans) ? lic.disabledPlans.map(String) : [];
          const existing = user.licenseAssignmentStates.find(
            (s) => s.skuId.toLowerCase() === skuId.toLowerCase() && s.assignedByGroup === null,
          );
          if (existing) {
            existing.disabledPlans = disabledPlans;
            existing.lastUpdatedDateTime = now;
          } else {
            user.licenseAssignmentStates.push({
              skuId,
              assignedByGroup: null,
              state: 'Active',
              error: 'None',
              disabledPlans,
              lastUpdatedDateTime: now,
            });
          }
          syncAssignedLicenses(user, skuId, disabledPlans, consumedOf(ctx, skuId));
          const assigned = user.assignedLicenses.find((l) => l.skuId.toLowerCase() === skuId.toLowerCase());
          if (assigned) assigned.disabledPlans = disabledPlans;
        }
        ctx.store.changed();
        sendGraphJson(
          ctx,
          200,
          JSON.stringify({
            '@odata.context': metadataContext(ctx, 'users/$entity'),
            id: user.id,
            displayName: user.displayName,
            userPrincipalName: user.userPrincipalName,
            assignedLicenses: user.assignedLicenses,
          }),
        );
      }),
    );

    router.add(
      'DELETE',
      `/${version}/groups/:id/members/:userId/$ref`,
      authorized(tokens, WRITE_PERMISSIONS.groupMembers, (ctx) => {
        const group = groupOrThrow(ctx, ctx.params.id as string);
        const user = userOrThrow(ctx, ctx.params.userId as string);
        const gid = group.id.toLowerCase();
        const inherited = user.licenseAssignmentStates.filter((s) => s.assignedByGroup?.toLowerCase() === gid);
        const explicit = group.memberIds?.some((m) => m.toLowerCase() === user.id.toLowerCase()) ?? false;
        if (inherited.length === 0 && !explicit) {
          throw new GraphError(
            404,
            'Request_ResourceNotFound',
            `Resource '${user.id}' does not exist or one of its queried reference-property objects are not present.`,
          );
        }
        throttle(ctx);
        if (group.memberIds) group.memberIds = group.memberIds.filter((m) => m.toLowerCase() !== user.id.toLowerCase());
        // Group-based licensing takes away what the group gave once the member leaves.
        user.licenseAssignmentStates = user.licenseAssignmentStates.filter(
          (s) => s.assignedByGroup?.toLowerCase() !== gid,
        );
        for (const state of inherited) syncAssignedLicenses(user, state.skuId, null, consumedOf(ctx, state.skuId));
        ctx.store.changed();
        ctx.res.writeHead(204, { 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId });
        ctx.res.end();
      }),
    );

    router.add(
      'POST',
      `/${version}/groups/:id/members/$ref`,
      authorized(tokens, WRITE_PERMISSIONS.groupMembers, async (ctx) => {
        const group = groupOrThrow(ctx, ctx.params.id as string);
        const body = await jsonBody(ctx);
        const ref = typeof body['@odata.id'] === 'string' ? body['@odata.id'] : '';
        const userId = /directoryObjects\/([^/?]+)/i.exec(ref)?.[1];
        if (!userId) throw new GraphError(400, 'Request_BadRequest', "Invalid object identifier ''.");
        const user = userOrThrow(ctx, userId);
        const gid = group.id.toLowerCase();
        const already =
          user.licenseAssignmentStates.some((s) => s.assignedByGroup?.toLowerCase() === gid) ||
          (group.memberIds?.some((m) => m.toLowerCase() === user.id.toLowerCase()) ?? false);
        if (already)
          throw new GraphError(
            400,
            'Request_BadRequest',
            "One or more added object references already exist for the following modified properties: 'members'.",
          );
        throttle(ctx);
        if (group.memberIds) group.memberIds = [...group.memberIds, user.id];
        const now = new Date().toISOString();
        for (const lic of group.assignedLicenses) {
          const sku = skuOf(ctx, lic.skuId);
          // Entra accepts the member and puts the assignment in error when no seat is free.
          const noSeat = sku !== undefined && !holds(user, lic.skuId) && freeUnits(sku) < 1;
          user.licenseAssignmentStates.push({
            skuId: lic.skuId,
            assignedByGroup: group.id,
            state: noSeat ? 'Error' : 'Active',
            error: noSeat ? 'CountViolation' : 'None',
            disabledPlans: lic.disabledPlans,
            lastUpdatedDateTime: now,
          });
          if (!noSeat) syncAssignedLicenses(user, lic.skuId, lic.disabledPlans, consumedOf(ctx, lic.skuId));
        }
        ctx.store.changed();
        ctx.res.writeHead(204, { 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId });
        ctx.res.end();
      }),
    );
  }
}

/** Over the write budget: rendered as Graph's 429 with Retry-After (per item inside $batch). */
export class ThrottledWrite extends GraphError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'TooManyRequests', 'Too many requests. Please retry after the time given in the Retry-After header.');
  }
}
