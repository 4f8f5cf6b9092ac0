import type { Client } from '@microsoft/microsoft-graph-client';
import { READ_REQUIREMENTS } from '../../domain/access-requirements';
import type { AuditLogQueryApi, AuditQueryState, CopilotInteractionRecord } from '../../usecases/audit/ports';
import type { TenantConnection } from './graph-client';
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
  auditData?: { AppHost?: unknown; CopilotEventData?: { AppHost?: unknown } } | null;
}

/**
 * Graph's audit log query API (v1.0; the seed's /beta behaves alike). The record type filter is
 * today's enum value `copilotInteraction` (the seed wrote "CopilotInteraction").
 */
export class GraphAuditLogQueryApi implements AuditLogQueryApi {
  readonly servedBy = `/v1.0${QUERIES}`;
  private count = 0;
  private readonly ctx: TenantContext;

  constructor(
    private readonly client: Client,
    conn: TenantConnection,
  ) {
    this.ctx = { entraTenantId: conn.entraTenantId, appClientId: conn.appClientId, graphEndpoint: conn.graphEndpoint, authorityHost: conn.authorityHost };
  }

  requests(): number {
    return this.count;
  }

  async createQuery(windowStart: string, windowEnd: string): Promise<AuditQueryState> {
    const body = {
      displayName: `Seat Steward CopilotInteraction ${windowStart} to ${windowEnd}`,
      filterStartDateTime: windowStart,
      filterEndDateTime: windowEnd,
      recordTypeFilters: ['copilotInteraction'],
      operationFilters: ['CopilotInteraction'],
    };
    const created = (await this.call('creating an audit log query', () => this.client.api(QUERIES).version('v1.0').post(body))) as { id?: unknown; status?: unknown };
    return queryState(created);
  }

  async getQuery(queryId: string): Promise<AuditQueryState> {
    return queryState(await this.call('polling an audit log query', () => this.client.api(`${QUERIES}/${encodeURIComponent(queryId)}`).version('v1.0').get()));
  }

  async recordsPage(queryId: string, nextLink: string | null): Promise<{ records: CopilotInteractionRecord[]; skipped: number; nextLink: string | null }> {
    const page = (await this.call('reading audit log records', () =>
      (nextLink ? this.client.api(nextLink) : this.client.api(`${QUERIES}/${encodeURIComponent(queryId)}/records`).version('v1.0')).get(),
    )) as { value?: GraphAuditRecord[]; '@odata.nextLink'?: string };
    const records: CopilotInteractionRecord[] = [];
    let skipped = 0;
    for (const raw of page.value ?? []) {
      const record = toRecord(raw);
      if (record) records.push(record);
      else skipped++;
    }
    return { records, skipped, nextLink: page['@odata.nextLink'] ?? null };
  }

  async probe(): Promise<void> {
    await this.call('listing audit log queries', () => this.client.api(QUERIES).version('v1.0').top(1).get());
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

function queryState(body: { id?: unknown; status?: unknown }): AuditQueryState {
  return { id: String(body.id ?? ''), status: typeof body.status === 'string' ? body.status : 'unknown' };
}

/** Null when the record lacks what a last-interaction needs (id, user, valid time). */
function toRecord(raw: GraphAuditRecord): CopilotInteractionRecord | null {
  const upn = typeof raw.userPrincipalName === 'string' && raw.userPrincipalName !== '' ? raw.userPrincipalName : typeof raw.userId === 'string' ? raw.userId : '';
  const time = typeof raw.createdDateTime === 'string' ? Date.parse(raw.createdDateTime) : NaN;
  if (typeof raw.id !== 'string' || raw.id === '' || upn === '' || !Number.isFinite(time)) return null;
  const host = raw.auditData?.CopilotEventData?.AppHost ?? raw.auditData?.AppHost;
  return { id: raw.id, upn: upn.toLowerCase(), at: new Date(time).toISOString(), appHost: typeof host === 'string' && host !== '' ? host : null };
}
