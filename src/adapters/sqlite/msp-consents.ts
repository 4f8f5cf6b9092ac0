import type { ConsentRecord } from '../../domain/msp-consent';
import type { ConsentStore } from '../../usecases/tenants/ports';
import type { Db } from './database';
import { prepared } from './prepared';

interface Row {
  tenant_id: string;
  state: ConsentRecord['state'];
  nonce: string;
  requested_at: string;
  answered_at: string | null;
  error: string | null;
}

const toRecord = (r: Row): ConsentRecord => ({
  tenantId: r.tenant_id,
  state: r.state,
  nonce: r.nonce,
  requestedAt: r.requested_at,
  answeredAt: r.answered_at,
  error: r.error,
});

/** msp_app_consents (migration 24). */
export class SqliteConsentStore implements ConsentStore {
  constructor(private readonly db: Db) {}

  get(tenantId: string): ConsentRecord | undefined {
    const row = prepared(this.db, 'SELECT * FROM msp_app_consents WHERE tenant_id = ?').get(tenantId) as
      Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  byNonce(nonce: string): ConsentRecord | undefined {
    const row = prepared(this.db, 'SELECT * FROM msp_app_consents WHERE nonce = ?').get(nonce) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  request(tenantId: string, nonce: string, now: Date): void {
    prepared(
      this.db,
      `INSERT INTO msp_app_consents (tenant_id, state, nonce, requested_at) VALUES (?, 'pending', ?, ?)
       ON CONFLICT (tenant_id) DO NOTHING`,
    ).run(tenantId, nonce, now.toISOString());
  }

  answer(tenantId: string, state: 'granted' | 'refused', error: string | null, nextNonce: string, now: Date): void {
    prepared(
      this.db,
      'UPDATE msp_app_consents SET state = ?, error = ?, answered_at = ?, nonce = ? WHERE tenant_id = ?',
    ).run(state, error, now.toISOString(), nextNonce, tenantId);
  }
}
