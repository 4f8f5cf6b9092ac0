import { expect } from 'vitest';
import type { Db } from '../../src/adapters/sqlite/database';
import type { WebhookEventInput, WebhookEventType } from '../../src/domain/webhook-events';
import type { WebhookEventLog } from '../../src/usecases/webhooks/ports';

/**
 * A spy on the app's real WebhookEventLog (pass `log.wrap` as the app option `webhookEventLog`):
 * each batch goes to the real log first, then the spy keeps copies, so a test can look at what one
 * step handed over while the real log (SQLite) does the recording. `events` keeps each id once, in
 * order, as the real log does; `calls` keeps every batch as handed over (duplicates included), so a
 * test can see that a source handed the same ids again. `failAfterRecording(n)`: the next n calls
 * throw after the real log committed their batch, as a process dying right after the write would.
 */
export class RecordingEventLog implements WebhookEventLog {
  readonly calls: WebhookEventInput[][] = [];
  readonly events: WebhookEventInput[] = [];
  private readonly ids = new Set<string>();
  private failures = 0;
  private real?: WebhookEventLog;

  /** The app option `webhookEventLog`: wraps the real log. */
  readonly wrap = (real: WebhookEventLog): WebhookEventLog => {
    this.real = real;
    return this;
  };

  wants(tenantId: string, types: readonly WebhookEventType[]): boolean {
    if (!this.real) throw new Error('RecordingEventLog: pass log.wrap as the app option webhookEventLog');
    return this.real.wants(tenantId, types);
  }

  record(events: readonly WebhookEventInput[]): void {
    if (!this.real) throw new Error('RecordingEventLog: pass log.wrap as the app option webhookEventLog');
    this.real.record(events);
    this.calls.push([...events]);
    for (const event of events) {
      if (this.ids.has(event.id)) continue;
      this.ids.add(event.id);
      this.events.push(event);
    }
    if (this.failures > 0) {
      this.failures--;
      throw new Error('the event log failed after writing (test)');
    }
  }

  failAfterRecording(times = 1): void {
    this.failures = times;
  }

  ofType(...types: WebhookEventType[]): WebhookEventInput[] {
    return this.events.filter((e) => types.includes(e.type));
  }

  /** Events recorded from index `mark` on (mark = events.length before the step). */
  since(mark: number): WebhookEventInput[] {
    return this.events.slice(mark);
  }
}

/** One row of the real log (webhook_events), its body parsed: what a receiver would be sent. */
export interface StoredWebhookEvent {
  id: string;
  tenantId: string | null;
  sequence: number | null;
  type: string;
  body: { event: string; timestamp: string; data: Record<string, unknown> };
}

/** The real event log's rows, per tenant in sequence order. */
export function storedWebhookEvents(db: Db): StoredWebhookEvent[] {
  const rows = db
    .prepare('SELECT id, tenant_id, sequence, type, body FROM webhook_events ORDER BY tenant_id, sequence')
    .all() as Array<{ id: string; tenant_id: string | null; sequence: number | null; type: string; body: string }>;
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    sequence: r.sequence,
    type: r.type,
    body: JSON.parse(r.body) as StoredWebhookEvent['body'],
  }));
}

/**
 * The real log holds exactly `expected` (each once), each in seed 000's envelope with its data, the
 * tenant's ids and a sequence number per tenant counting 1, 2, 3… without gaps, in the order recorded.
 */
export function expectRealLogHolds(
  db: Db,
  expected: readonly WebhookEventInput[],
  tenants: ReadonlyArray<{ id: string; entraTenantId: string; mspClientId: string | null }>,
): void {
  const stored = storedWebhookEvents(db);
  const byTenant = new Map<string, WebhookEventInput[]>();
  for (const e of expected) byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), e]);
  expect(stored.map((s) => s.id).sort()).toEqual(expected.map((e) => e.id).sort());
  for (const [tenantId, events] of byTenant) {
    const tenant = tenants.find((t) => t.id === tenantId);
    if (!tenant) throw new Error(`no tenant ${tenantId} to check its events against`);
    const rows = stored.filter((s) => s.tenantId === tenantId);
    expect(rows.map((r) => r.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(rows.map((r) => ({ id: r.id, type: r.type, body: r.body }))).toEqual(
      events.map((e, i) => ({
        id: e.id,
        type: e.type,
        body: {
          event: e.type,
          timestamp: e.occurredAt,
          data: {
            ...e.data,
            tenant_id: tenant.entraTenantId,
            seat_steward_tenant_id: tenant.id,
            client_id: tenant.mspClientId,
            sequence: i + 1,
          },
        },
      })),
    );
  }
}
