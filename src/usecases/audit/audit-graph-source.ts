import type { SyncType } from '../../domain/activity-sources';
import { TenantAccessError } from '../../domain/tenant-access-error';
import type { ActivitySource, SourceRunContext, SourceRunResult } from '../sync/ports';
import { auditWindowStart, finishAuditIngest, type AuditWindowOptions } from './audit-ingest';
import type { AuditIngestStore, AuditLogQueryApi } from './ports';
import type { PendingAuditQuery } from '../../domain/audit-query';

export interface AuditGraphSourceOptions extends AuditWindowOptions {
  tenantId: string;
  api: AuditLogQueryApi;
  store: AuditIngestStore;
  /** How long one sync waits for a query to finish before leaving it to the next sync. */
  queryWaitMs: number;
  pollIntervalMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const STILL_RUNNING = new Set(['notstarted', 'running']);

/**
 * Copilot interactions from Microsoft Graph's audit log query. Incremental: each run covers from
 * the end of the last covered window (less an overlap) to now. A query that has not finished
 * when this sync's wait ends stays stored and the next sync polls the same query instead of
 * starting over. Records are committed page by page together with the position after the page,
 * so a crash resumes from the last committed page and nothing is counted twice.
 */
export class AuditGraphSource implements ActivitySource {
  readonly id = 'audit_graph' as const;
  readonly syncTypes: readonly SyncType[] = ['audit_log'];

  constructor(private readonly options: AuditGraphSourceOptions) {}

  async run(ctx: SourceRunContext): Promise<SourceRunResult> {
    const { api, store, tenantId } = this.options;
    const sleep = this.options.sleep ?? defaultSleep;
    const before = api.requests();
    const cursor = store.cursor(tenantId, this.id);
    let pending = cursor.pendingQuery ?? (await this.createQuery(ctx, cursor.coveredUntil));
    // Checked on resume too: a stored position is only good while Graph still knows its query.
    {
      const deadline = Date.now() + this.options.queryWaitMs;
      let state = await this.queryState(pending);
      if (state === 'gone') {
        // Graph no longer knows the stored query (expired or deleted): ask anew for the same span, once.
        pending = await this.createQuery(ctx, cursor.coveredUntil);
        state = await this.queryState(pending);
        if (state === 'gone')
          throw new TenantAccessError(
            'audit_query_failed',
            `Microsoft Graph lost the audit log query ${pending.queryId} right after creating it. The next sync tries again.`,
          );
      }
      while (STILL_RUNNING.has(state.status.toLowerCase())) {
        if (Date.now() + this.options.pollIntervalMs > deadline) {
          // Not a failure: the query keeps running in Microsoft 365 and the next sync resumes it.
          return {
            outcome: 'not_newer',
            asOf: cursor.coveredUntil,
            servedBy: api.servedBy,
            requests: api.requests() - before,
            warnings: [],
          };
        }
        await sleep(this.options.pollIntervalMs);
        const next = await this.queryState(pending);
        if (next === 'gone')
          throw new TenantAccessError(
            'audit_query_failed',
            `Microsoft Graph lost the audit log query ${pending.queryId} while it ran. The next sync starts a new one.`,
          );
        state = next;
      }
      if (state.status.toLowerCase() !== 'succeeded') {
        // A failed or cancelled query is dropped so the next sync asks again for the same window.
        store.commitPage(tenantId, this.id, [], { pendingQuery: null });
        throw new TenantAccessError(
          'audit_query_failed',
          `The Microsoft 365 audit log query ${pending.queryId} for ${pending.windowStart} to ${pending.windowEnd} ended with status "${state.status}". The next sync starts a new query for the same window.`,
        );
      }
    }

    let skipped = 0;
    let nextLink = pending.nextLink;
    for (;;) {
      const page = await api.recordsPage(pending.queryId, nextLink);
      skipped += page.skipped;
      const after: PendingAuditQuery | null = page.nextLink ? { ...pending, nextLink: page.nextLink } : null;
      store.commitPage(
        tenantId,
        this.id,
        page.records,
        after ? { pendingQuery: after } : { pendingQuery: null, coveredUntil: pending.windowEnd },
      );
      if (!page.nextLink) break;
      nextLink = page.nextLink;
    }
    const warnings = finishAuditIngest(
      store,
      tenantId,
      Date.parse(pending.windowStart) - this.options.overlapMs - this.options.lookbackMs,
      skipped,
      'audit',
    );
    return {
      outcome: 'ok',
      asOf: pending.windowEnd,
      servedBy: api.servedBy,
      requests: api.requests() - before,
      warnings,
    };
  }

  probe(): Promise<void> {
    return this.options.api.probe();
  }

  private async createQuery(ctx: SourceRunContext, coveredUntil: string | null): Promise<PendingAuditQuery> {
    const end = ctx.now.getTime();
    const start = auditWindowStart(coveredUntil, end, this.options);
    const windowStart = new Date(Math.min(start, end)).toISOString();
    const windowEnd = new Date(end).toISOString();
    const created = await this.options.api.createQuery(windowStart, windowEnd);
    const pending: PendingAuditQuery = {
      queryId: created.id,
      windowStart,
      windowEnd,
      nextLink: null,
      createdAt: ctx.now.toISOString(),
    };
    this.options.store.savePendingQuery(this.options.tenantId, this.id, pending);
    return pending;
  }

  /** 'gone' when Graph no longer knows the query (expired, deleted, or another tenant's data); it is then forgotten. */
  private async queryState(pending: PendingAuditQuery): Promise<{ status: string } | 'gone'> {
    try {
      return await this.options.api.getQuery(pending.queryId);
    } catch (error) {
      if (error instanceof TenantAccessError && error.status === 404) {
        this.options.store.commitPage(this.options.tenantId, this.id, [], { pendingQuery: null });
        return 'gone';
      }
      throw error;
    }
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
