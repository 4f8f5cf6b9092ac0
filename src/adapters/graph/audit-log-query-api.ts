import type { Client } from '@microsoft/microsoft-graph-client';
import { READ_REQUIREMENTS } from '../../domain/access-requirements';
import type { AuditLogQueryApi, AuditQueryState, CopilotInteractionRecord } from '../../usecases/audit/ports';
import type { TenantConnection } from './graph-client';
import { TenantAccessError } from '../../domain/tenant-access-error';
import { explainTenantError, type TenantContext } from './graph-errors';

const NEED = { permission: READ_REQUIREMENTS.audit_graph.permission };
const QUERIES = '/security/auditLog/queries';

interface GraphAuditRecord {
  id?: unknown;
  createdDateTime?: unknown;
  auditLogRecordType?: unknown;
  operation?: unknown;
  userId?: unknown;
  userPrincipalName?: unknown;
  auditData?: unknown;
}

/**
 * Graph's audit log query API (v1.0; the older /beta behaves alike). The record type filter is
 * today's enum value `copilotInteraction` (older documentation wrote "CopilotInteraction").
 */
export class GraphAuditLogQueryApi implements AuditLogQueryApi {
  readonly servedBy = `/v1.0${QUERIES}`;
  private count = 0;
  private readonly ctx: TenantContext;

  constructor(
    private readonly client: Client,
    conn: TenantConnection,
  ) {
    this.ctx = {
      entraTenantId: conn.entraTenantId,
      appClientId: conn.appClientId,
      graphEndpoint: conn.graphEndpoint,
      authorityHost: conn.authorityHost,
    };
  }

  requests(): number {
    return this.count;
  }

  async createQuery(
    windowStart: string,
    windowEnd: string,
    scope?: { userPrincipalNames: readonly string[] },
  ): Promise<AuditQueryState> {
    const body = {
      displayName: `Seat Steward CopilotInteraction ${windowStart} to ${windowEnd}${scope ? ` (reclaim re-check, ${scope.userPrincipalNames.length} users)` : ''}`,
      filterStartDateTime: windowStart,
      filterEndDateTime: windowEnd,
      recordTypeFilters: ['copilotInteraction'],
      operationFilters: ['CopilotInteraction'],
      ...(scope ? { userPrincipalNameFilters: [...scope.userPrincipalNames] } : {}),
    };
    const created: unknown = await this.call('creating an audit log query', () =>
      this.client.api(QUERIES).version('v1.0').post(body),
    );
    return this.queryState(created, 'creating an audit log query');
  }

  async getQuery(queryId: string): Promise<AuditQueryState> {
    const polled: unknown = await this.call('polling an audit log query', () =>
      this.client
        .api(`${QUERIES}/${encodeURIComponent(queryId)}`)
        .version('v1.0')
        .get(),
    );
    return this.queryState(polled, 'polling an audit log query');
  }

  async recordsPage(
    queryId: string,
    nextLink: string | null,
  ): Promise<{ records: CopilotInteractionRecord[]; skipped: number; nextLink: string | null }> {
    const page: unknown = await this.call('reading audit log records', () =>
      (nextLink
        ? this.client.api(nextLink)
        : this.client.api(`${QUERIES}/${encodeURIComponent(queryId)}/records`).version('v1.0')
      ).get(),
    );
    // A page without its value list is not an empty page: taking it for one would end the query early and lose records.
    if (!isObject(page) || !Array.isArray(page.value))
      throw this.badResponse('reading audit log records', 'a records page without a "value" list');
    const next = page['@odata.nextLink'];
    if (next !== undefined && next !== null && typeof next !== 'string')
      throw this.badResponse('reading audit log records', 'an "@odata.nextLink" that is not a URL');
    const records: CopilotInteractionRecord[] = [];
    let skipped = 0;
    for (const raw of page.value) {
      const record = isObject(raw) ? toRecord(raw) : null;
      if (record) records.push(record);
      else skipped++;
    }
    return { records, skipped, nextLink: next ?? null };
  }

  async probe(): Promise<void> {
    await this.call('listing audit log queries', () => this.client.api(QUERIES).version('v1.0').top(1).get());
  }

  /** A query without an id cannot be polled or resumed: the answer is unusable, not a query. */
  private queryState(body: unknown, doing: string): AuditQueryState {
    if (!isObject(body) || typeof body.id !== 'string' || body.id === '')
      throw this.badResponse(doing, 'an audit log query without an id');
    return { id: body.id, status: typeof body.status === 'string' ? body.status : 'unknown' };
  }

  private badResponse(doing: string, what: string): TenantAccessError {
    return new TenantAccessError(
      'graph_bad_response',
      `Microsoft Graph answered ${what} while ${doing} at ${this.ctx.graphEndpoint}. Nothing was stored from it and the next sync resumes from the last stored page. If this repeats, check GRAPH_ENDPOINT and any proxy in between.`,
    );
  }

  private async call<T>(doing: string, request: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await request();
    } catch (error) {
      throw explainTenantError(error, this.ctx, doing, NEED);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Null when the record lacks what a last-interaction needs (id, user, valid time). */
function toRecord(raw: GraphAuditRecord): CopilotInteractionRecord | null {
  const auditData = isObject(raw.auditData) ? raw.auditData : {};
  const eventData = isObject(auditData.CopilotEventData) ? auditData.CopilotEventData : {};
  const upn =
    typeof raw.userPrincipalName === 'string' && raw.userPrincipalName !== ''
      ? raw.userPrincipalName
      : typeof raw.userId === 'string'
        ? raw.userId
        : '';
  const time = typeof raw.createdDateTime === 'string' ? Date.parse(raw.createdDateTime) : NaN;
  if (typeof raw.id !== 'string' || raw.id === '' || upn === '' || !Number.isFinite(time)) return null;
  const host = eventData.AppHost ?? auditData.AppHost;
  return {
    id: raw.id,
    upn: upn.toLowerCase(),
    at: new Date(time).toISOString(),
    appHost: typeof host === 'string' && host !== '' ? host : null,
  };
}
