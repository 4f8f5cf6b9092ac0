import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { z } from 'zod';
import { COPILOT_APPS, USAGE_PERIODS, USAGE_SERVICES, type CopilotTrendDay } from '../../domain/usage';
import type { TenantReads } from '../../usecases/status/ports';
import type { UsageQuery } from '../../usecases/usage/usage-query';
import type { CopilotTrendAnswer } from '../../domain/usage';
import { ApiError } from './api-errors';
import { jsonRoute, parseQuery, tenantFromPath } from './api-route';

export interface UsageRouteDeps {
  tenants: TenantReads;
  usage: UsageQuery;
  authorize: (req: Request) => void;
  logger: Logger;
}

const usageQuery = z
  .object({
    period: z
      .enum(USAGE_PERIODS, { errorMap: () => ({ message: `expected one of ${USAGE_PERIODS.join(', ')}` }) })
      .optional()
      .transform((p) => p ?? '30d'),
    service: z
      .enum(USAGE_SERVICES, { errorMap: () => ({ message: `expected one of ${USAGE_SERVICES.join(', ')}` }) })
      .optional(),
  })
  .strict();

/** The REST API's GET /usage, plus `as_of` (the reports' refresh date) and `sources` (where and how old). */
export function registerUsageRoutes(server: Server, deps: UsageRouteDeps): void {
  const handle = jsonRoute(deps);
  server.get(
    '/api/v1/m365/tenants/:id/usage',
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      const q = parseQuery(usageQuery, req);
      const { figures, provenance } = deps.usage.get(tenant.id, q.period, q.service);
      if (!figures) {
        const why =
          provenance.problem ??
          (provenance.status === 'never_read'
            ? 'no sync has read the usage reports yet'
            : 'the usage reports have not been stored yet');
        throw new ApiError(404, 'usage_not_available', `No usage figures for tenant ${tenant.tenantName}: ${why}.`);
      }
      return {
        tenant_id: tenant.id,
        period: figures.period,
        generated_at: new Date().toISOString(),
        summary: figures.summary,
        services: figures.services,
        trends: figures.trends,
        as_of: figures.reportRefreshDate,
        sources: {
          service_usage: {
            status: provenance.status,
            report_refresh_date: figures.reportRefreshDate,
            read_at: provenance.readAt,
            stale: provenance.stale,
            ...(provenance.problem ? { problem: provenance.problem } : {}),
            note: 'Microsoft 365 usage reports lag up to 72 hours; figures are as of report_refresh_date. sharepoint.files_created is null: Graph reports no file-creation count.',
          },
        },
        copilot: copilotBlock(deps.usage.copilot(tenant.id)),
      };
    }),
  );
}

type Counts = CopilotTrendDay['counts'];

const pair = (c: Counts[string] | undefined) => ({
  enabled_users: c?.enabled ?? null,
  active_users: c?.active ?? null,
});
const perApp = (counts: Counts) => Object.fromEntries(COPILOT_APPS.map((app) => [app, pair(counts[app])]));

/**
 * Additive to the REST API contract: the Copilot user count trend (always its 30-day report, whatever `period`
 * asks) and summary, with their own report date. Never read, or refused: the reason, not zeros.
 */
function copilotBlock({ trend, provenance }: CopilotTrendAnswer) {
  const summary = trend?.summary ?? null;
  const any = summary?.any;
  return {
    period: '30d',
    as_of: provenance.asOf,
    status: provenance.status,
    read_at: provenance.readAt,
    stale: provenance.stale,
    ...(provenance.problem ? { problem: provenance.problem } : {}),
    ...(trend
      ? {}
      : {
          note:
            provenance.status === 'never_read'
              ? 'No sync has read the Copilot user count reports yet.'
              : 'The Copilot user count reports have not been stored yet.',
        }),
    summary: summary
      ? {
          enabled_users: any?.enabled ?? null,
          active_users: any?.active ?? null,
          active_rate:
            any && any.enabled !== null && any.active !== null && any.enabled > 0
              ? Math.round((any.active / any.enabled) * 1000) / 10
              : null,
          apps: perApp(summary),
        }
      : null,
    daily: (trend?.days ?? []).map((d) => ({ date: d.reportDate, ...pair(d.counts.any), apps: perApp(d.counts) })),
  };
}
