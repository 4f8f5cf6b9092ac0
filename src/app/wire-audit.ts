import type { AppConfig } from '../config/config';
import { AuditSubscriptions } from '../usecases/audit/audit-subscriptions';
import { managementApiFor } from './audit-access';
import type { Core } from './wire-core';

/** The Management Activity API subscriptions the audit command starts and stops. */
export function wireAudit(config: Pick<AppConfig, 'audit'>, core: Pick<Core, 'graphs'>): AuditSubscriptions {
  return new AuditSubscriptions((tenant) => managementApiFor(config.audit, tenant, core.graphs.accessFor(tenant).conn));
}
