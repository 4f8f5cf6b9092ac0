import type { FreshActivityRead } from '../../domain/reclaim';
import { REFUSAL_CODES, TenantAccessError } from '../../domain/tenant-access-error';
import type { AuditManagementSource } from './audit-management-source';
import type { AuditIngestStore, AuditLogQueryApi, CopilotInteractionRecord } from './ports';
import type { PendingAuditQuery } from '../../domain/audit-query';

export interface AuditRecheckOptions {
  tenantId: string;
  store: AuditIngestStore;
  /** Graph's audit log query, when the tenant's sync has read it (AuditLogsQuery.Read.All); else null. */
  graph: AuditLogQueryApi | null;
  /** The Management Activity API source, when the tenant's sync has read it (ActivityFeed.Read); else null. */
  management: AuditManagementSource | null;
  /** How long one attempt polls a running query before leaving it for the next attempt. */
  pollBudgetMs: number;
  pollIntervalMs: number;
  /** The scoped query starts this much before the sync's coverage ends: records indexed late are caught. */
  overlapMs: number;
  lookbackMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface FreshReadInput {
  /** The holders whose seats are about to be removed: the Graph query reads only them. */
  userPrincipalNames: readonly string[];
  /** A scoped query an earlier attempt created and left running: polled, not created again. */
  pendingQuery: PendingAuditQuery | null;
  now: Date;
  signal?: AbortSignal;
}

export interface FreshReadOutput {
  read: FreshActivityRead;
  /** The query to poll on the next attempt (null when none is left running). */
  pendingQuery: PendingAuditQuery | null;
  /** Requests this read made (Graph and Management API), reported apart from the removal's. */
  requests: number;
}

const STILL_RUNNING = new Set(['notstarted', 'running']);

/**
 * The reclaim re-check's fresh activity read: Copilot interactions newer than the last sync, for
 * exactly the seats about to be removed, stored in the same cache the analytics read (deduplicated
 * by record id), so the re-check's verdict sees them.
 *
 * - Graph's audit log query, scoped to those users and to the window since the sync's coverage
 *   (less the overlap), is the precise read: when the tenant has it, the re-check waits for it.
 * - Without it, the Management Activity API's content published since the last fetched blob:
 *   activity is then checked up to its newest published blob.
 */
export class AuditRecheck {
  constructor(private readonly options: AuditRecheckOptions) {}

  async read(input: FreshReadInput): Promise<FreshReadOutput> {
    const { graph, management } = this.options;
    const before = (graph?.requests() ?? 0) + (management?.requests() ?? 0);
    const count = () => (graph?.requests() ?? 0) + (management?.requests() ?? 0) - before;
    // Graph's scoped query is the precise read; the Management API's content decides only without it.
    if (graph) return { ...(await this.readGraph(graph, input)), requests: count() };
    if (!management) {
      return {
        read: {
          kind: 'unavailable',
          reason:
            'no audit source has been read for this tenant: grant AuditLogsQuery.Read.All (Microsoft Graph) or ActivityFeed.Read (Office 365 Management APIs) and run check',
        },
        pendingQuery: null,
        requests: 0,
      };
    }
    try {
      const ingested = await management.ingest(input.now, { finish: false });
      const read: FreshActivityRead = ingested.publishedUpTo
        ? { kind: 'fresh', freshness: { checkedUpTo: ingested.publishedUpTo, source: 'audit_management' } }
        : {
            kind: 'pending',
            reason: 'the Management Activity API has published no audit content yet for the hours since the last sync',
          };
      return { read, pendingQuery: null, requests: count() };
    } catch (error) {
      return { read: refusal(error, 'the Management Activity API'), pendingQuery: null, requests: count() };
    }
  }

  private async readGraph(
    api: AuditLogQueryApi,
    input: FreshReadInput,
  ): Promise<{ read: FreshActivityRead; pendingQuery: PendingAuditQuery | null }> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    // Kept across the try: a query this attempt created is polled by the next one, whatever fails after it.
    let pending = input.pendingQuery;
    try {
      pending ??= await this.createQuery(api, input);
      let state = await this.state(api, pending);
      if (state === 'gone') {
        // Graph forgot the query (expired): ask again for the same users once.
        pending = await this.createQuery(api, input);
        state = await this.state(api, pending);
        if (state === 'gone')
          return {
            read: { kind: 'pending', reason: 'Microsoft Graph lost the audit log query right after creating it' },
            pendingQuery: null,
          };
      }
      const deadline = Date.now() + this.options.pollBudgetMs;
      while (STILL_RUNNING.has(state.status.toLowerCase())) {
        if (input.signal?.aborted || Date.now() + this.options.pollIntervalMs > deadline) {
          return {
            read: {
              kind: 'pending',
              reason: `the audit log query for these users is still ${state.status} in Microsoft 365`,
            },
            pendingQuery: pending,
          };
        }
        await sleep(this.options.pollIntervalMs);
        const next = await this.state(api, pending);
        if (next === 'gone')
          return {
            read: { kind: 'pending', reason: 'Microsoft Graph lost the audit log query while it ran' },
            pendingQuery: null,
          };
        state = next;
      }
      if (state.status.toLowerCase() !== 'succeeded') {
        return {
          read: {
            kind: 'pending',
            reason: `the audit log query ended with status "${state.status}"; a new one is asked for`,
          },
          pendingQuery: null,
        };
      }
      const records: CopilotInteractionRecord[] = [];
      let nextLink: string | null = null;
      do {
        const page = await api.recordsPage(pending.queryId, nextLink);
        records.push(...page.records);
        nextLink = page.nextLink;
      } while (nextLink);
      this.options.store.commitRecords(this.options.tenantId, 'audit_graph', records);
      return {
        read: { kind: 'fresh', freshness: { checkedUpTo: pending.windowEnd, source: 'audit_graph' } },
        pendingQuery: null,
      };
    } catch (error) {
      return { read: refusal(error, 'the Microsoft Graph audit log query'), pendingQuery: pending };
    }
  }

  private async createQuery(api: AuditLogQueryApi, input: FreshReadInput): Promise<PendingAuditQuery> {
    const { store, tenantId, overlapMs, lookbackMs } = this.options;
    const end = input.now.getTime();
    // From where the sync's coverage ends (the older of the two sources), so nothing between is unread.
    const covered = [
      store.cursor(tenantId, 'audit_graph').coveredUntil,
      store.cursor(tenantId, 'audit_management').coveredUntil,
    ]
      .filter((c): c is string => c !== null)
      .map(Date.parse);
    const start = covered.length > 0 ? Math.max(Math.min(...covered) - overlapMs, end - lookbackMs) : end - lookbackMs;
    const windowStart = new Date(Math.min(start, end)).toISOString();
    const windowEnd = new Date(end).toISOString();
    const created = await api.createQuery(windowStart, windowEnd, { userPrincipalNames: input.userPrincipalNames });
    return { queryId: created.id, windowStart, windowEnd, nextLink: null, createdAt: input.now.toISOString() };
  }

  private async state(api: AuditLogQueryApi, pending: PendingAuditQuery): Promise<{ status: string } | 'gone'> {
    try {
      return await api.getQuery(pending.queryId);
    } catch (error) {
      if (error instanceof TenantAccessError && error.status === 404) return 'gone';
      throw error;
    }
  }
}

/** A refusal an admin must fix (permission, licence, subscription) does not pass by waiting; throttling and outages do. */
function refusal(error: unknown, what: string): FreshActivityRead {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TenantAccessError && REFUSAL_CODES.has(error.code))
    return { kind: 'unavailable', reason: `${what} refused: ${message}` };
  return { kind: 'pending', reason: `${what} could not be read: ${message}` };
}
