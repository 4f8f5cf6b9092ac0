import type { Client } from '@microsoft/microsoft-graph-client';
import type { HolderNow } from '../../domain/reclaim';
import { systemClock, type Clock } from '../../domain/clock';
import { retryAfterMs } from '../../domain/retry-after';
import type { ChangeOutcome, LicenceChange, LicenceGraph } from '../../usecases/reclaim/ports';
import { explainTenantError, type TenantContext } from './graph-errors';

/** Graph's JSON batching takes at most 20 requests a round-trip. */
export const BATCH_SIZE = 20;
/** Graph limits `in` in a filter to 15 values by default. */
export const IN_FILTER_MAX = 15;
/** Rounds of per-item retries (429, 5xx) inside one apply() before the rest is handed back as retry_later. */
const RETRY_ROUNDS = 4;
const MAX_WAIT_S = 60;

interface BatchRequest {
  id: string;
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

interface BatchResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

interface GraphLicenseState {
  skuId?: string;
  assignedByGroup?: string | null;
  disabledPlans?: string[];
}

interface GraphUserRow {
  id: string;
  userPrincipalName?: string;
  accountEnabled?: boolean;
  licenseAssignmentStates?: GraphLicenseState[];
  signInActivity?: { lastSignInDateTime?: string | null } | null;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });

/**
 * The Graph side of a reclaim for one tenant: batched re-check reads (15 users per filtered
 * request, 20 requests per $batch) and batched writes (assignLicense, group membership) with
 * per-item retries of 429 and 5xx after Retry-After. Only the failed items are sent again.
 */
export class GraphLicenceGraph implements LicenceGraph {
  private trips = 0;
  private signInRefused = false;

  constructor(
    private readonly client: Client,
    private readonly ctx: TenantContext,
    private readonly clock: Clock = systemClock,
  ) {}

  roundTrips(): number {
    return this.trips;
  }

  async readHolders(
    users: Array<{ userId: string; skuId: string }>,
    options: { withSignIn: boolean; signal?: AbortSignal },
  ): Promise<Map<string, HolderNow>> {
    const skuOf = new Map(users.map((u) => [u.userId.toLowerCase(), u.skuId.toLowerCase()]));
    const ids = [...skuOf.keys()];
    const withSignIn = options.withSignIn && !this.signInRefused;
    const select = [
      'id',
      'userPrincipalName',
      'accountEnabled',
      'licenseAssignmentStates',
      ...(withSignIn ? ['signInActivity'] : []),
    ].join(',');
    const requests: BatchRequest[] = [];
    for (let i = 0; i < ids.length; i += IN_FILTER_MAX) {
      const chunk = ids.slice(i, i + IN_FILTER_MAX);
      const filter = `id in (${chunk.map((id) => `'${id.replace(/'/g, "''")}'`).join(',')})`;
      requests.push({
        id: String(requests.length),
        method: 'GET',
        url: `/users?$filter=${encodeURIComponent(filter)}&$select=${select}&$top=${IN_FILTER_MAX}`,
      });
    }
    const answers = await this.sendAll(requests, options.signal);
    const found = new Map<string, HolderNow>();
    for (const request of requests) {
      const answer = answers.get(request.id);
      if (!answer || answer.status !== 200) {
        if (answer && withSignIn && (answer.status === 403 || answer.status === 400)) {
          // signInActivity needs AuditLog.Read.All and Entra ID P1: read without it rather than fail the re-check.
          this.signInRefused = true;
          return this.readHolders(users, { ...options, withSignIn: false });
        }
        throw this.errorOf(answer, 're-checking the seats before removal');
      }
      const rows = ((answer.body as { value?: GraphUserRow[] } | undefined)?.value ?? []) as GraphUserRow[];
      for (const row of rows) {
        const key = row.id.toLowerCase();
        const sku = skuOf.get(key);
        if (!sku) continue;
        found.set(key, {
          kind: 'found',
          accountEnabled: row.accountEnabled !== false,
          userPrincipalName: row.userPrincipalName ?? '',
          assignments: (row.licenseAssignmentStates ?? [])
            .filter((s) => (s.skuId ?? '').toLowerCase() === sku)
            .map((s) => ({ groupId: s.assignedByGroup ?? null, disabledPlans: s.disabledPlans ?? [] })),
          lastSignInAt: row.signInActivity?.lastSignInDateTime ?? null,
        });
      }
    }
    for (const id of ids) if (!found.has(id)) found.set(id, { kind: 'not_found' });
    return found;
  }

  async apply(changes: LicenceChange[], options: { signal?: AbortSignal }): Promise<Map<string, ChangeOutcome>> {
    const outcomes = new Map<string, ChangeOutcome>();
    let pending = changes;
    for (let round = 0; pending.length > 0; round++) {
      const requests = pending.map((c, i) => ({ ...requestOf(c), id: String(i) }));
      const answers = await this.sendAll(requests, options.signal);
      const again: LicenceChange[] = [];
      let waitS = 0;
      pending.forEach((change, i) => {
        const answer = answers.get(String(i));
        const outcome = outcomeOf(change, answer, this.clock());
        if (!outcome.ok && outcome.meaning === 'retry_later' && round < RETRY_ROUNDS) {
          again.push(change);
          waitS = Math.max(waitS, outcome.retryAfterSeconds ?? 2 ** round);
        } else {
          outcomes.set(change.key, outcome);
        }
      });
      pending = again;
      if (pending.length > 0) await sleep(Math.min(MAX_WAIT_S, waitS) * 1000, options.signal);
    }
    return outcomes;
  }

  /** Sends requests 20 per $batch, one batch after another; answers by request id. */
  private async sendAll(requests: BatchRequest[], signal?: AbortSignal): Promise<Map<string, BatchResponse>> {
    const answers = new Map<string, BatchResponse>();
    for (let i = 0; i < requests.length; i += BATCH_SIZE) {
      if (signal?.aborted) throw signal.reason as Error;
      const batch = requests.slice(i, i + BATCH_SIZE);
      this.trips++;
      let body: { responses?: BatchResponse[] };
      try {
        body = (await this.client.api('/$batch').post({ requests: batch })) as { responses?: BatchResponse[] };
      } catch (error) {
        throw explainTenantError(error, this.ctx, 'sending a batch of licence changes to Microsoft Graph');
      }
      for (const answer of body.responses ?? []) answers.set(answer.id, answer);
    }
    return answers;
  }

  private errorOf(answer: BatchResponse | undefined, doing: string): Error {
    const graphError = (answer?.body as { error?: { code?: string; message?: string } } | undefined)?.error;
    const synthetic = Object.assign(new Error(graphError?.message ?? 'no answer in the batch'), {
      statusCode: answer?.status ?? 500,
      code: graphError?.code ?? 'UnknownError',
      headers: answer?.headers,
    });
    return explainTenantError(synthetic, this.ctx, doing);
  }
}

function requestOf(change: LicenceChange): Omit<BatchRequest, 'id'> {
  const json = { 'Content-Type': 'application/json' };
  switch (change.kind) {
    case 'remove_licence':
      return {
        method: 'POST',
        url: `/users/${change.userId}/assignLicense`,
        headers: json,
        body: { addLicenses: [], removeLicenses: [change.skuId] },
      };
    case 'assign_licence':
      return {
        method: 'POST',
        url: `/users/${change.userId}/assignLicense`,
        headers: json,
        body: { addLicenses: [{ skuId: change.skuId, disabledPlans: change.disabledPlans }], removeLicenses: [] },
      };
    case 'remove_group_member':
      return { method: 'DELETE', url: `/groups/${change.groupId}/members/${change.userId}/$ref` };
    case 'add_group_member':
      return {
        method: 'POST',
        url: `/groups/${change.groupId}/members/$ref`,
        headers: json,
        body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${change.userId}` },
      };
  }
}

/** What Graph's answer to one change means for the item. */
export function outcomeOf(change: LicenceChange, answer: BatchResponse | undefined, now: Date): ChangeOutcome {
  if (!answer)
    return {
      ok: false,
      status: 0,
      code: 'NoAnswer',
      message: 'The batch came back without an answer for this change.',
      meaning: 'retry_later',
    };
  if (answer.status >= 200 && answer.status < 300) return { ok: true };
  const error = (answer.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const code = error?.code ?? 'UnknownError';
  const message = error?.message ?? `HTTP ${answer.status}`;
  const waitMs = retryAfterMs(
    Object.entries(answer.headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1],
    now,
  );
  const base = { ok: false as const, status: answer.status, code, message };
  if (answer.status === 429 || answer.status >= 500)
    return { ...base, meaning: 'retry_later', ...(waitMs !== undefined ? { retryAfterSeconds: waitMs / 1000 } : {}) };
  if (answer.status === 403) return { ...base, meaning: 'forbidden' };
  if (answer.status === 404)
    return { ...base, meaning: change.kind === 'remove_group_member' ? 'not_held' : 'user_gone' };
  if (answer.status === 400) {
    if (/inherited from a group/i.test(message)) return { ...base, meaning: 'group_inherited' };
    if (/does not have a corresponding license/i.test(message)) return { ...base, meaning: 'not_held' };
    if (/does not have any available licenses|no available licen/i.test(message))
      return { ...base, meaning: 'no_free_seat' };
    if (/already exist/i.test(message)) return { ok: true };
  }
  return { ...base, meaning: 'other' };
}
