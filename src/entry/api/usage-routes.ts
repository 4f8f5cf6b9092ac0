import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { z } from './api-zod';
import { either, NO_TENANT, type ApiDoc } from './api-doc';
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

const n = z.number();
const copilotPair = z.object({ enabled_users: n.nullable(), active_users: n.nullable() });
const perAppSchema = z.object(
  Object.fromEntries(COPILOT_APPS.map((app) => [app, copilotPair])) as Record<
    (typeof COPILOT_APPS)[number],
    typeof copilotPair
  >,
);
const provenanceStatus = z
  .string()
  .openapi({ description: 'The last read: success, partial, refused, failed, or never_read.' });

const usageSchema = z
  .object({
    tenant_id: z.string(),
    period: z.enum(USAGE_PERIODS),
    generated_at: z.string(),
    summary: z.object({ total_active_users: n, total_inactive_users: n, activity_rate: n }),
    services: z
      .object({
        exchange: z.object({ active_users: n, emails_sent: n, emails_received: n, mailbox_usage_gb: n }),
        sharepoint: z.object({ active_users: n, files_created: n.nullable(), files_shared: n, storage_used_gb: n }),
        teams: z.object({ active_users: n, meetings_held: n, messages_sent: n, calls_made: n }),
        onedrive: z.object({ active_users: n, files_synced: n, storage_used_gb: n }),
      })
      .partial()
      .openapi({ description: 'Every service, or only the one `service` asks for.' }),
    trends: z.object({ daily_active_users: z.array(z.object({ date: z.string(), count: n })) }),
    as_of: z.string().openapi({ description: "The reports' refresh date (they lag up to 72 hours)." }),
    sources: z.object({
      service_usage: z.object({
        status: provenanceStatus,
        report_refresh_date: z.string(),
        read_at: z.string().nullable(),
        stale: z.boolean(),
        problem: z.string().optional(),
        note: z.string(),
      }),
    }),
    copilot: z
      .object({
        period: z.literal('30d'),
        as_of: z.string().nullable(),
        status: provenanceStatus,
        read_at: z.string().nullable(),
        stale: z.boolean(),
        problem: z.string().optional(),
        note: z.string().optional(),
        summary: z
          .object({
            enabled_users: n.nullable(),
            active_users: n.nullable(),
            active_rate: n.nullable(),
            apps: perAppSchema,
          })
          .nullable(),
        daily: z.array(copilotPair.extend({ date: z.string(), apps: perAppSchema })),
      })
      .openapi({ description: 'The Copilot user count trend (always its 30-day report) and summary.' }),
  })
  .openapi('Usage');
type UsageJson = z.infer<typeof usageSchema>;

export function documentUsageRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/usage',
    tag: 'Usage',
    summary: 'Microsoft 365 usage figures for a period, and the Copilot user count trend',
    query: usageQuery,
    responses: { 200: { description: "The figures, as of the reports' refresh date.", content: usageSchema } },
    errors: {
      404: either(NO_TENANT, {
        description: 'No usage figures stored yet (usage_not_available, saying why).',
        codes: ['usage_not_available'],
      }),
    },
  });
}

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
      const body: UsageJson = {
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
      return body;
    }),
  );
}

type Counts = CopilotTrendDay['counts'];

const pair = (c: Counts[string] | undefined) => ({
  enabled_users: c?.enabled ?? null,
  active_users: c?.active ?? null,
});
const perApp = (counts: Counts) =>
  Object.fromEntries(COPILOT_APPS.map((app) => [app, pair(counts[app])])) as z.infer<typeof perAppSchema>;

/**
 * Additive to the REST API contract: the Copilot user count trend (always its 30-day report, whatever `period`
 * asks) and summary, with their own report date. Never read, or refused: the reason, not zeros.
 */
function copilotBlock({ trend, provenance }: CopilotTrendAnswer): UsageJson['copilot'] {
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
