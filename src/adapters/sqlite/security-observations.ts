import type { SecurityObservation } from '../../domain/security-events';
import type { SecurityObservations } from '../../usecases/identity/ports';
import type { Db } from './database';

/** The last security observation per tenant (migration 27). */
export class SqliteSecurityObservations implements SecurityObservations {
  constructor(private readonly db: Db) {}

  last(tenantId: string): SecurityObservation | undefined {
    const json = this.db
      .prepare('SELECT observation FROM security_observations WHERE tenant_id = ?')
      .pluck()
      .get(tenantId) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as SecurityObservation);
  }

  save(tenantId: string, observation: SecurityObservation, at: Date): void {
    this.db
      .prepare(
        `INSERT INTO security_observations (tenant_id, observation, observed_at) VALUES (?, ?, ?)
         ON CONFLICT (tenant_id) DO UPDATE SET observation = excluded.observation, observed_at = excluded.observed_at`,
      )
      .run(tenantId, JSON.stringify(observation), at.toISOString());
  }
}
