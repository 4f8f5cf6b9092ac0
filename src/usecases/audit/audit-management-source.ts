import type { SyncType } from '../../domain/activity-sources';
import type { ActivitySource, SourceRunContext, SourceRunResult } from '../sync/ports';
import type { AuditIngestStore, ManagementActivityApi } from './ports';
import type { ContentType } from '../../domain/audit-content-types';
import { auditWindowStart, finishAuditIngest, type AuditWindowOptions } from './audit-ingest';
import { requireEnabled } from './audit-subscriptions';

export interface AuditManagementSourceOptions extends AuditWindowOptions {
  tenantId: string;
  api: ManagementActivityApi;
  store: AuditIngestStore;
}

const DAY_MS = 86_400_000;
/** The API lists content at most 7 days back; a minute of margin keeps a slow request inside it. */
const OLDEST_LISTABLE_MS = 7 * DAY_MS - 60_000;
/** CopilotInteraction records (RecordType 261) are in Audit.General. */
const CONTENT_TYPE: ContentType = 'Audit.General';

/**
 * Copilot interactions from the Office 365 Management Activity API: lists Audit.General content
 * since the last covered time (at most 7 days back, in windows of at most 24 hours, following
 * NextPageUri), fetches each blob not fetched before, and keeps its CopilotInteraction records.
 * A blob's records and its "fetched" mark are committed together, so a crash resumes with the
 * next blob and nothing is fetched twice.
 */
export class AuditManagementSource implements ActivitySource {
  readonly id = 'audit_management' as const;
  readonly syncTypes: readonly SyncType[] = ['audit_log'];

  constructor(private readonly options: AuditManagementSourceOptions) {}

  async run(ctx: SourceRunContext): Promise<SourceRunResult> {
    const { api } = this.options;
    const ingested = await this.ingest(ctx.now);
    return {
      outcome: 'ok',
      asOf: ingested.asOf,
      servedBy: `${api.endpoint}/api/v1.0/{tenant}/activity/feed (${CONTENT_TYPE})`,
      requests: ingested.requests,
      warnings: ingested.warnings,
    };
  }

  /**
   * Fetches every content blob published since the last covered time. `publishedUpTo` is the newest
   * blob's creation time: activity after it is not published yet, so a re-check must not claim it.
   */
  async ingest(
    at: Date,
    options: { finish: boolean } = { finish: true },
  ): Promise<{ asOf: string; publishedUpTo: string | null; requests: number; warnings: string[] }> {
    const { api, store, tenantId } = this.options;
    const before = api.requests();
    const now = at.getTime();
    let publishedUpTo: string | null = null;
    const cursor = store.cursor(tenantId, this.id);
    const wanted = auditWindowStart(cursor.coveredUntil, now, this.options);
    const start = Math.max(wanted, now - OLDEST_LISTABLE_MS);
    const warnings: string[] = [];
    if (cursor.coveredUntil && wanted < start) {
      warnings.push(
        `The Management Activity API keeps content for 7 days only: interactions between ${new Date(wanted).toISOString()} and ${new Date(start).toISOString()} could not be listed (Seat Steward had not synced for longer than that). The Graph audit log query (audit_graph) can still cover them.`,
      );
    }
    const fetched = store.fetchedContentIds(tenantId, CONTENT_TYPE, new Date(start - DAY_MS).toISOString());
    let skipped = 0;
    for (let from = start; from < now; from += DAY_MS) {
      const to = Math.min(from + DAY_MS, now);
      let nextPageUri: string | null = null;
      do {
        const page = await api.listContent(
          CONTENT_TYPE,
          new Date(from).toISOString(),
          new Date(to).toISOString(),
          nextPageUri,
        );
        for (const blob of page.blobs) {
          if (publishedUpTo === null || blob.contentCreated > publishedUpTo) publishedUpTo = blob.contentCreated;
          if (fetched.has(blob.contentId)) continue;
          const content = await api.fetchContent(blob.contentUri);
          skipped += content.skipped;
          store.commitContent(
            tenantId,
            CONTENT_TYPE,
            { contentId: blob.contentId, contentCreated: blob.contentCreated },
            content.records,
          );
          fetched.add(blob.contentId);
        }
        nextPageUri = page.nextPageUri;
      } while (nextPageUri);
    }
    const asOf = new Date(now).toISOString();
    store.setCoveredUntil(tenantId, this.id, asOf);
    // The re-check leaves the pruning and the whole-directory Copilot Chat refresh to the next sync.
    if (options.finish)
      warnings.push(
        ...finishAuditIngest(
          store,
          tenantId,
          Math.min(start, now - this.options.lookbackMs) - DAY_MS,
          skipped,
          'CopilotInteraction',
        ),
      );
    return { asOf, publishedUpTo, requests: api.requests() - before, warnings };
  }

  requests(): number {
    return this.options.api.requests();
  }

  /** Lists the subscriptions and checks Audit.General's: without it there is no content to list. */
  async probe(): Promise<void> {
    requireEnabled(await this.options.api.listSubscriptions(), CONTENT_TYPE);
  }
}
