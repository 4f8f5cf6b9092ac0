import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { ageInDays, isStale, type SourceStatusRecord, type SyncType } from '../../domain/activity-sources';
import { READ_REQUIREMENTS } from '../../domain/access-requirements';
import type { TenantRecord } from '../../domain/tenant';
import type { CheckService } from '../../usecases/check/check-service';
import type { CheckReport } from '../../domain/access-requirements';
import type { SyncRunReads, TenantReads } from '../../usecases/status/ports';
import type { SyncRequest } from '../../usecases/sync/sync-service';
import { ApiError } from './api-errors';
import { jsonRoute, parseQuery, tenantFromPath } from './api-route';
import { NO_TENANT, noQuery, type ApiDoc } from './api-doc';
import { z } from './api-zod';

export interface SyncRouteDeps {
  tenants: TenantReads;
  runs: SyncRunReads;
  requestSync: (tenantId: string) => SyncRequest;
  /** What this tenant's sync covers (the REST API contract sync_types). */
  syncTypes: (tenant: TenantRecord) => SyncType[];
  sourceStatus: (tenantId: string) => SourceStatusRecord[];
  check: CheckService;
  authorize: (req: Request) => void;
  logger: Logger;
}

const syncStartedSchema = z
  .object({
    tenant_id: z.string(),
    sync_started: z.string(),
    estimated_duration: z.string().openapi({ example: 'about 40 seconds' }),
    sync_types: z.array(z.string()),
    run_id: z.number().int(),
    joined_running_sync: z.boolean().openapi({ description: 'True when a sync of the tenant was already running.' }),
  })
  .openapi('SyncStarted');

const signInSchema = z.union([
  z.object({ status: z.literal('ok') }),
  z.object({ status: z.literal('failed'), code: z.string(), message: z.string() }),
]);
/** Checks by status (ok, missing_permission, missing_licence, unreachable, error, not_checked). */
export const checkSummarySchema = z.record(z.number().int());
export const checkSignInSchema = signInSchema;

const checkSchema = z
  .object({
    tenant_id: z.string(),
    checked_at: z.string(),
    sign_in: signInSchema,
    summary: checkSummarySchema,
    checks: z.array(
      z.object({
        source: z.string(),
        label: z.string(),
        status: z.enum(['ok', 'missing_permission', 'missing_licence', 'unreachable', 'error', 'not_checked']),
        permission: z.string(),
        api: z.string(),
        permission_type: z.literal('Application'),
        admin_consent_required: z.literal(true),
        licence: z.string().nullable(),
        unlocks: z.string(),
        error_code: z.string().nullable(),
        message: z.string().nullable(),
      }),
    ),
  })
  .openapi('PermissionCheck');

const sourcesSchema = z
  .object({
    tenant_id: z.string(),
    generated_at: z.string(),
    data: z.array(
      z.object({
        source: z.string(),
        label: z.string(),
        last_attempt_at: z.string(),
        last_outcome: z.enum(['ok', 'not_newer', 'refused', 'failed']),
        last_success_at: z.string().nullable(),
        as_of: z.string().nullable(),
        age_days: z.number().int().nullable(),
        stale: z.boolean(),
        served_by: z.string().nullable(),
        error_code: z.string().nullable(),
        message: z.string().nullable(),
        requests: z.number().int(),
        warnings: z.array(z.string()),
      }),
    ),
  })
  .openapi('Sources');

export function documentSyncRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'post',
    path: '/api/v1/m365/tenants/:id/sync',
    tag: 'Sync',
    summary: 'Start a sync of the tenant (or join the one running); it runs in the background',
    query: noQuery,
    responses: { 200: { description: 'Started.', content: syncStartedSchema } },
    errors: {
      404: NO_TENANT,
      507: "The sync could not start: the disk holding DATA_DIR is full (the code is the refused run's).",
    },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/check',
    tag: 'Sync',
    summary: 'Check each permission and licence the reads need, against the tenant now',
    query: noQuery,
    responses: { 200: { description: 'Every read, with what it unlocks and what to do.', content: checkSchema } },
    errors: { 404: NO_TENANT },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/sources',
    tag: 'Sync',
    summary: "Each data source's last read: outcome, as-of date, age and staleness",
    query: noQuery,
    responses: { 200: { description: 'Every source read so far.', content: sourcesSchema } },
    errors: { 404: NO_TENANT },
  });
}

/** POST /sync (the REST API contract), GET /check (the setup guide's permission check) and GET /sources (each source's age). */
export function registerSyncRoutes(server: Server, deps: SyncRouteDeps): void {
  const handle = jsonRoute(deps);
  const tenantParam = (req: Request): TenantRecord => tenantFromPath(deps.tenants, req);

  server.post(
    '/api/v1/m365/tenants/:id/sync',
    handle((req) => {
      const tenant = tenantParam(req);
      parseQuery(noQuery, req);
      const started = deps.requestSync(tenant.id);
      if (started.run.status === 'failed')
        throw new ApiError(
          507,
          started.run.errorCode ?? 'sync_refused',
          started.run.errorText ?? 'The sync could not start.',
        );
      const body: z.infer<typeof syncStartedSchema> = {
        tenant_id: tenant.id,
        sync_started: started.run.startedAt,
        estimated_duration: estimatedDuration(deps.runs.latestFinished(tenant.id)),
        sync_types: deps.syncTypes(tenant),
        run_id: started.run.id,
        joined_running_sync: started.joined,
      };
      return body;
    }),
  );

  server.get(
    '/api/v1/m365/tenants/:id/check',
    handle(async (req) => {
      const tenant = tenantParam(req);
      parseQuery(noQuery, req);
      return checkJson(await deps.check.check(tenant));
    }),
  );

  server.get(
    '/api/v1/m365/tenants/:id/sources',
    handle((req) => {
      const tenant = tenantParam(req);
      parseQuery(noQuery, req);
      const now = new Date();
      const body: z.infer<typeof sourcesSchema> = {
        tenant_id: tenant.id,
        generated_at: now.toISOString(),
        data: deps.sourceStatus(tenant.id).map((s) => sourceJson(s, now)),
      };
      return body;
    }),
  );
}

/** From the last finished run: "about 40 seconds", or a range before the first. */
function estimatedDuration(last: { startedAt: string; finishedAt: string | null } | undefined): string {
  if (!last?.finishedAt) return '1-5 minutes';
  const seconds = Math.max(1, Math.round((Date.parse(last.finishedAt) - Date.parse(last.startedAt)) / 1000));
  return seconds < 90 ? `about ${seconds} seconds` : `about ${Math.round(seconds / 60)} minutes`;
}

function checkJson(report: CheckReport): z.infer<typeof checkSchema> {
  const summary: Record<string, number> = {};
  for (const item of report.items) summary[item.status] = (summary[item.status] ?? 0) + 1;
  return {
    tenant_id: report.tenantId,
    checked_at: report.checkedAt,
    sign_in: report.signIn.ok
      ? { status: 'ok' as const }
      : { status: 'failed' as const, code: report.signIn.code, message: report.signIn.message },
    summary,
    checks: report.items.map((item) => ({
      source: item.id,
      label: item.label,
      status: item.status,
      permission: item.permission,
      api: item.api,
      permission_type: 'Application' as const,
      admin_consent_required: true as const,
      licence: item.licence,
      unlocks: item.unlocks,
      error_code: item.errorCode,
      message: item.message,
    })),
  };
}

function sourceJson(s: SourceStatusRecord, now: Date): z.infer<typeof sourcesSchema>['data'][number] {
  return {
    source: s.source,
    label: READ_REQUIREMENTS[s.source].label,
    last_attempt_at: s.lastAttemptAt,
    last_outcome: s.lastOutcome,
    last_success_at: s.lastSuccessAt,
    as_of: s.asOf,
    age_days: s.asOf ? ageInDays(s.asOf, now) : s.lastSuccessAt ? ageInDays(s.lastSuccessAt, now) : null,
    stale: isStale(s),
    served_by: s.servedBy,
    error_code: s.errorCode,
    message: s.message,
    requests: s.requests,
    warnings: s.warnings,
  };
}
