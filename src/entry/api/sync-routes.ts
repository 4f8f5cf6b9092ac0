import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { z } from 'zod';
import { ageInDays, isStale, type SourceStatusRecord, type SyncType } from '../../domain/activity-sources';
import { READ_REQUIREMENTS } from '../../domain/access-requirements';
import type { TenantRecord } from '../../domain/tenant';
import type { CheckService } from '../../usecases/check/check-service';
import type { CheckReport } from '../../domain/access-requirements';
import type { SyncRunReads, TenantReads } from '../../usecases/status/ports';
import type { SyncRequest } from '../../usecases/sync/sync-service';
import { ApiError } from './api-errors';
import { jsonRoute, parseQuery, tenantFromPath } from './api-route';

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

const noQuery = z.object({}).strict();

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
      return {
        tenant_id: tenant.id,
        sync_started: started.run.startedAt,
        estimated_duration: estimatedDuration(deps.runs.latestFinished(tenant.id)),
        sync_types: deps.syncTypes(tenant),
        run_id: started.run.id,
        joined_running_sync: started.joined,
      };
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
      return {
        tenant_id: tenant.id,
        generated_at: now.toISOString(),
        data: deps.sourceStatus(tenant.id).map((s) => sourceJson(s, now)),
      };
    }),
  );
}

/** From the last finished run: "about 40 seconds", or a range before the first. */
function estimatedDuration(last: { startedAt: string; finishedAt: string | null } | undefined): string {
  if (!last?.finishedAt) return '1-5 minutes';
  const seconds = Math.max(1, Math.round((Date.parse(last.finishedAt) - Date.parse(last.startedAt)) / 1000));
  return seconds < 90 ? `about ${seconds} seconds` : `about ${Math.round(seconds / 60)} minutes`;
}

function checkJson(report: CheckReport) {
  const summary: Record<string, number> = {};
  for (const item of report.items) summary[item.status] = (summary[item.status] ?? 0) + 1;
  return {
    tenant_id: report.tenantId,
    checked_at: report.checkedAt,
    sign_in: report.signIn.ok
      ? { status: 'ok' }
      : { status: 'failed', code: report.signIn.code, message: report.signIn.message },
    summary,
    checks: report.items.map((item) => ({
      source: item.id,
      label: item.label,
      status: item.status,
      permission: item.permission,
      api: item.api,
      permission_type: 'Application',
      admin_consent_required: true,
      licence: item.licence,
      unlocks: item.unlocks,
      error_code: item.errorCode,
      message: item.message,
    })),
  };
}

function sourceJson(s: SourceStatusRecord, now: Date) {
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
