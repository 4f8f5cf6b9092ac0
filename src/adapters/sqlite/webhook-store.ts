import { type Db, writeTransaction } from './database';
import { prepared } from './prepared';
import { endpointWants, webhookEnvelope, type WebhookEndpointScope } from '../../domain/webhook-delivery';
import type { WebhookEventInput, WebhookEventType } from '../../domain/webhook-events';
import { SealedSecretError, type SecretSealer } from '../../usecases/tenants/ports';
import type { WebhookEventLog } from '../../usecases/webhooks/ports';
import { webhookDeliveryJob, webhookJobKey } from '../../usecases/webhooks/webhook-delivery';
import {
  WEBHOOK_DELIVERY_STATUSES,
  type DeliveryAttemptRecord,
  type NewWebhookEndpoint,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  type WebhookEndpoint,
  type WebhookEndpointChange,
  type WebhookStore,
} from '../../usecases/webhooks/webhook-ports';

interface EndpointRow {
  id: number;
  url: string;
  description: string | null;
  events: string;
  tenant_ids: string;
  client_ids: string;
  owner_clients: string | null;
  enabled: number;
  disabled_reason: string | null;
  disabled_at: string | null;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_until: string | null;
  created_at: string;
  updated_at: string;
}

interface DeliveryRow {
  id: number;
  endpoint_id: number;
  event_id: string;
  event_type: string;
  tenant_id: string | null;
  job_key: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_response_body: string | null;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
}

const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  url: r.url,
  description: r.description,
  events: JSON.parse(r.events) as WebhookEventType[],
  tenantIds: JSON.parse(r.tenant_ids) as string[],
  clientIds: JSON.parse(r.client_ids) as string[],
  ownerClients: r.owner_clients === null ? null : (JSON.parse(r.owner_clients) as string[]),
  enabled: r.enabled === 1,
  disabledReason: r.disabled_reason,
  disabledAt: r.disabled_at,
  previousSecretUntil: r.previous_secret_until,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.event_type,
  tenantId: r.tenant_id,
  jobKey: r.job_key ?? webhookJobKey(r.id),
  status: r.status,
  attempts: r.attempts,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  lastResponseBody: r.last_response_body,
  lastAttemptAt: r.last_attempt_at,
  nextAttemptAt: r.next_attempt_at,
  deliveredAt: r.delivered_at,
  createdAt: r.created_at,
});

const DELIVERY_SELECT = `SELECT d.*, e.type AS event_type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id`;

/**
 * A webhook's deliveries, newest first, and their count; exported for the query-plan test. Fixed
 * fragments: with a status they walk webhook_deliveries_by_status, without one
 * webhook_deliveries_by_endpoint, both already in id order (no sort, whatever the table's size).
 */
export function deliveryListSql(byStatus: boolean): { page: string; count: string } {
  const clause = byStatus ? 'd.endpoint_id = @endpoint AND d.status = @status' : 'd.endpoint_id = @endpoint';
  return {
    page: `${DELIVERY_SELECT} WHERE ${clause} ORDER BY d.id DESC LIMIT @limit OFFSET @offset`,
    count: `SELECT COUNT(*) FROM webhook_deliveries d WHERE ${clause}`,
  };
}

/** The sealed secret is bound to its endpoint: a value copied onto another row does not open. */
const secretData = (id: number, which: 'current' | 'previous') => `webhook-endpoint:${id}:${which}`;

const OUTBOX_INSERT = `INSERT INTO outbox_jobs (kind, idempotency_key, tenant_id, payload, status, attempts, max_attempts, run_after, created_at, updated_at)
  VALUES (@kind, @key, @tenant, @payload, 'pending', 0, @max, @now, @now, @now)
  ON CONFLICT (idempotency_key) DO NOTHING`;

/** job_key stays NULL: the first run's key is webhookJobKey(id), known once the row is. */
const DELIVERY_INSERT = `INSERT INTO webhook_deliveries (endpoint_id, event_id, tenant_id, status, created_at)
  VALUES (@endpoint, @event, @tenant, 'pending', @now)`;

/** Webhook endpoints (secrets sealed with SECRET_STORE_KEY), the event log's rows and the deliveries. */
export class SqliteWebhookStore implements WebhookStore {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretSealer,
  ) {}

  createEndpoint(input: NewWebhookEndpoint, now: Date): WebhookEndpoint {
    return writeTransaction(this.db, () => {
      const at = now.toISOString();
      const id = Number(
        prepared(
          this.db,
          `INSERT INTO webhook_endpoints (url, description, events, tenant_ids, client_ids, owner_clients, enabled, secret_sealed, created_at, updated_at)
             VALUES (@url, @description, @events, @tenants, @clients, @owner, @enabled, '', @at, @at)`,
        ).run({
          url: input.url,
          description: input.description,
          events: JSON.stringify(input.events),
          tenants: JSON.stringify(input.tenantIds),
          clients: JSON.stringify(input.clientIds),
          owner: input.ownerClients === null ? null : JSON.stringify(input.ownerClients),
          enabled: input.enabled ? 1 : 0,
          at,
        }).lastInsertRowid,
      );
      const sealed = this.secrets.seal(input.secret, secretData(id, 'current')).ciphertext;
      prepared(this.db, 'UPDATE webhook_endpoints SET secret_sealed = ? WHERE id = ?').run(sealed, id);
      return this.getEndpoint(id) as WebhookEndpoint;
    })();
  }

  getEndpoint(id: number): WebhookEndpoint | undefined {
    const row = prepared(this.db, 'SELECT * FROM webhook_endpoints WHERE id = ?').get(id) as EndpointRow | undefined;
    return row ? toEndpoint(row) : undefined;
  }

  listEndpoints(): WebhookEndpoint[] {
    return (prepared(this.db, 'SELECT * FROM webhook_endpoints ORDER BY id').all() as EndpointRow[]).map(toEndpoint);
  }

  updateEndpoint(id: number, change: WebhookEndpointChange, now: Date): WebhookEndpoint | undefined {
    return writeTransaction(this.db, () => {
      const current = this.getEndpoint(id);
      if (!current) return undefined;
      const enabled = change.enabled ?? current.enabled;
      prepared(
        this.db,
        `UPDATE webhook_endpoints SET url = @url, description = @description, events = @events, tenant_ids = @tenants,
             client_ids = @clients, owner_clients = @owner, enabled = @enabled, disabled_reason = @reason,
             disabled_at = @disabledAt, updated_at = @at
           WHERE id = @id`,
      ).run({
        id,
        url: change.url ?? current.url,
        description: change.description === undefined ? current.description : change.description,
        events: JSON.stringify(change.events ?? current.events),
        tenants: JSON.stringify(change.tenantIds ?? current.tenantIds),
        clients: JSON.stringify(change.clientIds ?? current.clientIds),
        owner: JSON.stringify(change.ownerClients === undefined ? current.ownerClients : change.ownerClients),
        enabled: enabled ? 1 : 0,
        // Enabling clears the reason; an admin's disabling says so.
        reason: enabled ? null : current.enabled ? 'Disabled by an admin.' : current.disabledReason,
        disabledAt: enabled ? null : current.enabled ? now.toISOString() : current.disabledAt,
        at: now.toISOString(),
      });
      return this.getEndpoint(id);
    })();
  }

  deleteEndpoint(id: number): boolean {
    // Its deliveries go with it (ON DELETE CASCADE); their outbox jobs find no delivery and end.
    return prepared(this.db, 'DELETE FROM webhook_endpoints WHERE id = ?').run(id).changes === 1;
  }

  disableEndpoint(id: number, reason: string, now: Date): void {
    prepared(
      this.db,
      'UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, disabled_at = ?, updated_at = ? WHERE id = ?',
    ).run(reason, now.toISOString(), now.toISOString(), id);
  }

  signingSecrets(id: number, now: Date): string[] {
    const row = prepared(
      this.db,
      'SELECT secret_sealed, previous_secret_sealed, previous_secret_until FROM webhook_endpoints WHERE id = ?',
    ).get(id) as Pick<EndpointRow, 'secret_sealed' | 'previous_secret_sealed' | 'previous_secret_until'> | undefined;
    if (!row) return [];
    const secrets = [this.secrets.open(row.secret_sealed, secretData(id, 'current'))];
    if (row.previous_secret_sealed && row.previous_secret_until && row.previous_secret_until > now.toISOString())
      secrets.push(this.secrets.open(row.previous_secret_sealed, secretData(id, 'previous')));
    return secrets;
  }

  rotateSecret(id: number, secret: string, previousUntil: Date, now: Date): WebhookEndpoint | undefined {
    return writeTransaction(this.db, () => {
      const row = prepared(this.db, 'SELECT secret_sealed FROM webhook_endpoints WHERE id = ?').get(id) as
        Pick<EndpointRow, 'secret_sealed'> | undefined;
      if (!row) return undefined;
      // Re-sealed under the "previous" binding: the current value opens only as the current secret.
      // A secret this server can no longer open (sealed with a key since lost) is simply replaced.
      let previous: string | null = null;
      try {
        previous = this.secrets.open(row.secret_sealed, secretData(id, 'current'));
      } catch (error) {
        if (!(error instanceof SealedSecretError)) throw error;
      }
      prepared(
        this.db,
        `UPDATE webhook_endpoints SET secret_sealed = @current, previous_secret_sealed = @previous,
             previous_secret_until = @until, updated_at = @at WHERE id = @id`,
      ).run({
        id,
        current: this.secrets.seal(secret, secretData(id, 'current')).ciphertext,
        previous: previous === null ? null : this.secrets.seal(previous, secretData(id, 'previous')).ciphertext,
        until: previous === null ? null : previousUntil.toISOString(),
        at: now.toISOString(),
      });
      return this.getEndpoint(id);
    })();
  }

  addPing(endpointId: number, eventId: string, type: string, body: string, now: Date): WebhookDelivery {
    return writeTransaction(this.db, () => {
      const at = now.toISOString();
      prepared(
        this.db,
        `INSERT INTO webhook_events (id, tenant_id, sequence, type, occurred_at, body, recorded_at)
           VALUES (?, NULL, NULL, ?, ?, ?, ?)`,
      ).run(eventId, type, at, body, at);
      const id = Number(
        prepared(this.db, DELIVERY_INSERT).run({ endpoint: endpointId, event: eventId, tenant: null, now: at })
          .lastInsertRowid,
      );
      return this.getDelivery(id) as WebhookDelivery;
    })();
  }

  eventBody(eventId: string): string | undefined {
    return prepared(this.db, 'SELECT body FROM webhook_events WHERE id = ?').pluck().get(eventId) as string | undefined;
  }

  getDelivery(id: number): WebhookDelivery | undefined {
    const row = prepared(this.db, `${DELIVERY_SELECT} WHERE d.id = ?`).get(id) as DeliveryRow | undefined;
    return row ? toDelivery(row) : undefined;
  }

  listDeliveries(query: { endpointId: number; status?: WebhookDeliveryStatus; limit: number; offset: number }): {
    rows: WebhookDelivery[];
    total: number;
  } {
    const sql = deliveryListSql(query.status !== undefined);
    const params = { endpoint: query.endpointId, status: query.status ?? null };
    const rows = prepared(this.db, sql.page).all({
      ...params,
      limit: query.limit,
      offset: query.offset,
    }) as DeliveryRow[];
    const total = prepared(this.db, sql.count).pluck().get(params) as number;
    return { rows: rows.map(toDelivery), total };
  }

  countDeliveries(endpointId: number): Record<WebhookDeliveryStatus, number> {
    const counts = Object.fromEntries(WEBHOOK_DELIVERY_STATUSES.map((s) => [s, 0])) as Record<
      WebhookDeliveryStatus,
      number
    >;
    const rows = prepared(
      this.db,
      'SELECT status, COUNT(*) AS n FROM webhook_deliveries WHERE endpoint_id = ? GROUP BY status',
    ).all(endpointId) as Array<{ status: WebhookDeliveryStatus; n: number }>;
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }

  recordAttempt(deliveryId: number, attempt: DeliveryAttemptRecord): void {
    prepared(
      this.db,
      `UPDATE webhook_deliveries SET status = @status, attempts = attempts + 1, last_status_code = @code,
           last_error = @error, last_response_body = @body, last_attempt_at = @at, next_attempt_at = @next,
           delivered_at = CASE WHEN @status = 'delivered' THEN @at ELSE delivered_at END
         WHERE id = @id`,
    ).run({
      id: deliveryId,
      status: attempt.status,
      code: attempt.statusCode,
      error: attempt.error,
      body: attempt.responseBody,
      at: attempt.at.toISOString(),
      next: attempt.nextAttemptAt?.toISOString() ?? null,
    });
  }

  prune(before: Date): { events: number; deliveries: number } {
    return writeTransaction(this.db, () => {
      const cutoff = before.toISOString();
      // Full scans, once a day: an index on the dates would cost every sync that records events.
      const deliveries = prepared(
        this.db,
        "DELETE FROM webhook_deliveries WHERE created_at < ? AND status IN ('delivered', 'dead')",
      ).run(cutoff).changes;
      const events = prepared(
        this.db,
        `DELETE FROM webhook_events WHERE recorded_at < ?
           AND id NOT IN (SELECT event_id FROM webhook_deliveries WHERE status IN ('pending', 'failed'))`,
      ).run(cutoff).changes;
      return { events, deliveries };
    })();
  }

  requeueDelivery(deliveryId: number, jobKey: string, now: Date): WebhookDelivery | undefined {
    prepared(
      this.db,
      "UPDATE webhook_deliveries SET status = 'pending', job_key = ?, next_attempt_at = ? WHERE id = ?",
    ).run(jobKey, now.toISOString(), deliveryId);
    return this.getDelivery(deliveryId);
  }
}

interface TenantIdsRow {
  id: string;
  tenant_id: string;
  client_id: string | null;
}

/**
 * The event log in SQLite. One write transaction per record() call, whatever its size: each event
 * is inserted once (its id is the primary key; a repeat is ignored and takes no sequence number),
 * numbered after the tenant's last, and queued as one delivery plus its outbox job per enabled
 * endpoint that wants it. Endpoints and tenants are read once per call, statements are prepared
 * once, so a sync's 10,000 changes cost a few inserts each and no network.
 */
const TENANT_IDS = 'SELECT id, tenant_id, client_id FROM tenants WHERE id = ?';

export class SqliteWebhookEventLog implements WebhookEventLog {
  constructor(
    private readonly db: Db,
    private readonly options: { clock: () => Date; onQueued: () => void },
  ) {}

  record(events: readonly WebhookEventInput[]): void {
    if (events.length === 0) return;
    const queued = writeTransaction(this.db, () => this.insert(events))();
    // Outside the transaction: the runner claims what is committed.
    if (queued > 0) this.options.onQueued();
  }

  wants(tenantId: string, types: readonly WebhookEventType[]): boolean {
    const tenant = prepared(this.db, TENANT_IDS).get(tenantId) as TenantIdsRow | undefined;
    if (!tenant) return false;
    return this.enabledEndpoints().some((e) =>
      types.some((type) => endpointWants(e.scope, type, tenant.id, tenant.client_id)),
    );
  }

  private enabledEndpoints(): Array<{ id: number; scope: WebhookEndpointScope }> {
    return (
      prepared(this.db, 'SELECT * FROM webhook_endpoints WHERE enabled = 1 ORDER BY id').all() as EndpointRow[]
    ).map((r) => {
      const e = toEndpoint(r);
      return { id: e.id, scope: e satisfies WebhookEndpointScope };
    });
  }

  private insert(events: readonly WebhookEventInput[]): number {
    const now = this.options.clock().toISOString();
    const endpoints = this.enabledEndpoints();
    const tenantRow = prepared(this.db, TENANT_IDS);
    const lastSequence = prepared(this.db, 'SELECT last_sequence FROM webhook_sequences WHERE tenant_id = ?').pluck();
    const insertEvent = prepared(
      this.db,
      `INSERT INTO webhook_events (id, tenant_id, sequence, type, occurred_at, body, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    const insertJob = prepared(this.db, OUTBOX_INSERT);
    const insertDelivery = prepared(this.db, DELIVERY_INSERT);
    const tenants = new Map<string, { row: TenantIdsRow | undefined; sequence: number }>();
    let queued = 0;
    for (const event of events) {
      let tenant = tenants.get(event.tenantId);
      if (!tenant) {
        const row = tenantRow.get(event.tenantId) as TenantIdsRow | undefined;
        tenant = { row, sequence: (lastSequence.get(event.tenantId) as number | undefined) ?? 0 };
        tenants.set(event.tenantId, tenant);
      }
      // A tenant removed while its sync ran: nothing to say about it any more.
      if (!tenant.row) continue;
      // An event no enabled webhook wants is not kept: a tenant of 100,000 users without webhooks
      // would otherwise store megabytes of events a day that nobody is sent. Sequence numbers count
      // the events kept.
      const clientId = tenant.row.client_id;
      const wanting = endpoints.filter((e) => endpointWants(e.scope, event.type, event.tenantId, clientId));
      if (wanting.length === 0) continue;
      const sequence = tenant.sequence + 1;
      const ids = {
        tenant_id: tenant.row.tenant_id,
        seat_steward_tenant_id: tenant.row.id,
        client_id: tenant.row.client_id,
      };
      const body = JSON.stringify(webhookEnvelope(event.type, event.occurredAt, event.data, ids, sequence));
      if (insertEvent.run(event.id, event.tenantId, sequence, event.type, event.occurredAt, body, now).changes !== 1)
        continue;
      tenant.sequence = sequence;
      for (const endpoint of wanting) {
        const deliveryId = Number(
          insertDelivery.run({ endpoint: endpoint.id, event: event.id, tenant: event.tenantId, now }).lastInsertRowid,
        );
        const key = webhookJobKey(deliveryId);
        insertJob.run({
          kind: webhookDeliveryJob.kind,
          key,
          tenant: event.tenantId,
          payload: JSON.stringify({ deliveryId }),
          max: webhookDeliveryJob.maxAttempts,
          now,
        });
        queued++;
      }
    }
    const saveSequence = prepared(
      this.db,
      `INSERT INTO webhook_sequences (tenant_id, last_sequence) VALUES (?, ?)
         ON CONFLICT (tenant_id) DO UPDATE SET last_sequence = excluded.last_sequence`,
    );
    for (const [tenantId, t] of tenants) if (t.row) saveSequence.run(tenantId, t.sequence);
    return queued;
  }
}
