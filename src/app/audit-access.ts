import type { TenantConnection } from '../adapters/graph/graph-client';
import { HttpManagementActivityApi } from '../adapters/graph/management-activity-api';
import type { AuditConfig } from '../config/config';
import type { TenantRecord } from '../domain/tenant';

/** The Management Activity API endpoint of a Graph endpoint's cloud (GCC shares Graph with commercial: set MANAGEMENT_API_ENDPOINT). */
const MANAGEMENT_BY_GRAPH_HOST: Record<string, string> = {
  'graph.microsoft.com': 'https://manage.office.com',
  'graph.microsoft.us': 'https://manage.office365.us',
  'dod-graph.microsoft.us': 'https://manage.protection.apps.mil',
};

/**
 * MANAGEMENT_API_ENDPOINT, else the Graph endpoint's cloud. A Graph endpoint that is none of
 * Microsoft's (the demo tenant, an Entra-compatible stand-in) serves the API on its own host.
 */
export function managementEndpointFor(
  audit: Pick<AuditConfig, 'managementEndpoint'>,
  tenant: TenantRecord,
  conn: TenantConnection,
): string {
  if (audit.managementEndpoint) return audit.managementEndpoint;
  const graph = new URL(conn.graphEndpoint);
  if (tenant.source === 'demo') return graph.origin;
  return MANAGEMENT_BY_GRAPH_HOST[graph.hostname.toLowerCase()] ?? graph.origin;
}

export function managementApiFor(
  audit: Pick<AuditConfig, 'managementEndpoint'>,
  tenant: TenantRecord,
  conn: TenantConnection,
): HttpManagementActivityApi {
  return new HttpManagementActivityApi(conn, managementEndpointFor(audit, tenant, conn));
}
