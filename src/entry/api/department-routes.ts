import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { NO_DEPARTMENT, type DepartmentFigures, type DepartmentReport } from '../../domain/departments';
import { utilizationText } from '../../domain/seat-savings';
import type { TenantRecord } from '../../domain/tenant';
import type { TenantReads } from '../../usecases/status/ports';
import { ApiError } from './api-errors';
import { jsonRoute, parseQuery, tenantFromPath } from './api-route';
import { either, NO_TENANT, noQuery, type ApiDoc } from './api-doc';
import { z } from './api-zod';

export interface DepartmentRouteDeps {
  tenants: TenantReads;
  /** The department chargeback of a tenant's current analytics (DepartmentChargeback.report). */
  departments: (tenantId: string) => DepartmentReport | undefined;
  authorize: (req: Request) => void;
  logger: Logger;
}

export function departmentsNotComputed(tenant: TenantRecord): ApiError {
  return new ApiError(
    404,
    'analytics_not_available',
    `No seat analytics for tenant ${tenant.tenantName} yet: department figures come from them, and a sync computes them. Run a sync (POST /api/v1/m365/tenants/${tenant.id}/sync) and try again.`,
  );
}

const money = z.number().nullable().openapi({ description: 'A month, in currency; null when not costed.' });
const figuresSchema = z.object({
  seats: z.number().int(),
  active: z.number().int(),
  idle: z.number().int(),
  utilization_rate: z.number().nullable().openapi({ description: 'Whole percent; null with no seat.' }),
  utilization_text: z.string().nullable(),
  monthly_cost: money,
  idle_monthly_cost: money,
});

export const departmentsSchema = z
  .object({
    tenant_id: z.string(),
    currency: z.string().nullable(),
    data: z.array(
      figuresSchema.extend({
        department: z.string(),
        no_department: z.boolean().openapi({ description: 'The group of seat holders with no department.' }),
        trend: z.array(
          z.object({
            date: z.string(),
            seats: z.number().int(),
            active: z.number().int(),
            idle: z.number().int(),
            utilization: z.number().nullable(),
            idle_monthly_cost: money,
          }),
        ),
      }),
    ),
    totals: figuresSchema,
    trend_from: z.string(),
    trend_days: z.number().int(),
    no_department_name: z.string(),
    as_of: z.string(),
    warnings: z.array(z.string()),
  })
  .openapi('Departments');

export function documentDepartmentRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/copilot/departments',
    tag: 'Copilot',
    summary: 'Department chargeback: Copilot seats, use and idle cost per department, with the 90-day trend',
    query: noQuery,
    responses: { 200: { description: 'Every department, most idle money first.', content: departmentsSchema } },
    errors: {
      404: either(NO_TENANT, {
        description: 'No seat analytics yet (analytics_not_available): run a sync.',
        codes: ['analytics_not_available'],
      }),
    },
  });
}

function figuresJson(f: DepartmentFigures): z.infer<typeof figuresSchema> {
  return {
    seats: f.seats,
    active: f.active,
    idle: f.idle,
    utilization_rate: f.utilization.percent,
    utilization_text: f.utilization.percent === null ? null : utilizationText(f.utilization),
    monthly_cost: f.monthlyCost,
    idle_monthly_cost: f.idleMonthlyCost,
  };
}

/** The JSON of GET …/copilot/departments: every department, most idle money first, each with its daily trend. */
export function departmentsJson(tenantId: string, report: DepartmentReport): z.infer<typeof departmentsSchema> {
  return {
    tenant_id: tenantId,
    currency: report.currency,
    data: report.departments.map((d) => ({
      department: d.name,
      // The group of seat holders with no department in the directory (named NO_DEPARTMENT, never dropped).
      no_department: d.key === '',
      ...figuresJson(d),
      trend: d.trend.map((p) => ({
        date: p.date,
        seats: p.seats,
        active: p.active,
        idle: p.idle,
        utilization: p.utilization,
        idle_monthly_cost: p.idleMonthlyCost,
      })),
    })),
    totals: figuresJson(report.totals),
    trend_from: report.trendFrom,
    trend_days: report.trendDays,
    no_department_name: NO_DEPARTMENT,
    as_of: report.asOf,
    warnings: report.warnings,
  };
}

/** `GET /api/v1/m365/tenants/{id}/copilot/departments`: department chargeback with the 90-day trend. */
export function registerDepartmentRoutes(server: Server, deps: DepartmentRouteDeps): void {
  const handle = jsonRoute(deps);
  server.get(
    '/api/v1/m365/tenants/:id/copilot/departments',
    handle((req) => {
      const tenant = tenantFromPath(deps.tenants, req);
      parseQuery(noQuery, req);
      const report = deps.departments(tenant.id);
      if (!report) throw departmentsNotComputed(tenant);
      return departmentsJson(tenant.id, report);
    }),
  );
}
