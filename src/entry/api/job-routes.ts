import { requireUnscopedKey } from './api-auth';
import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import type { JobRunner } from '../../usecases/outbox/job-runner';
import { JOB_STATUSES, type OutboxJob, type OutboxStore } from '../../usecases/outbox/outbox-store';
import { ApiError } from './api-errors';
import { integer, jsonRoute, parseQuery, positiveIdParam } from './api-route';
import { pagination } from './pagination';
import { noQuery, UNSCOPED_KEY, paginationSchema, positiveId, type ApiDoc } from './api-doc';
import { z } from './api-zod';

export interface JobRouteDeps {
  outbox: OutboxStore;
  runner: Pick<JobRunner, 'retryDead'>;
  authorize: (req: Request) => void;
  logger: Logger;
}

const jobListQuery = z
  .object({
    status: z.enum(JOB_STATUSES, { errorMap: () => ({ message: `expected ${JOB_STATUSES.join(', ')}` }) }).optional(),
    kind: z
      .string()
      .trim()
      .min(1, 'expected at least 1 character')
      .max(100, 'expected at most 100 characters')
      .optional(),
    limit: integer('limit', 1, 100, 20),
    offset: integer('offset', 0, 10_000_000, 0),
  })
  .strict();

const jobSchema = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    idempotency_key: z.string(),
    tenant_id: z.string().nullable(),
    status: z.enum(JOB_STATUSES),
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    run_after: z.string(),
    lease_until: z.string().nullable(),
    last_error: z.string().nullable(),
    payload: z.unknown().openapi({ description: "The job kind's JSON input." }),
    created_at: z.string(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('Job');

const jobListSchema = z.object({
  data: z.array(jobSchema),
  pagination: paginationSchema,
  counts: z.record(z.number().int()).openapi({ description: 'Jobs by status.' }),
});
const retriedSchema = z.object({ data: jobSchema });

export function documentJobRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/jobs',
    tag: 'Jobs',
    summary: 'The outbox: queued, running, done and dead jobs, with counts by status',
    query: jobListQuery,
    responses: { 200: { description: 'A page of jobs, newest first.', content: jobListSchema } },
    errors: { 403: UNSCOPED_KEY },
  });
  doc.route({
    method: 'post',
    path: '/api/v1/m365/jobs/:id/retry',
    tag: 'Jobs',
    summary: 'Queue a dead job again',
    params: z.object({ id: positiveId }),
    query: noQuery,
    responses: { 200: { description: 'The job, pending again.', content: retriedSchema } },
    errors: {
      403: UNSCOPED_KEY,
      404: { description: 'No such job (job_not_found).', codes: ['job_not_found'] },
      409: {
        description: 'The job is not dead (job_not_dead): the runner retries the others itself.',
        codes: ['job_not_dead'],
      },
    },
  });
}

function jobJson(j: OutboxJob): z.infer<typeof jobSchema> {
  return {
    id: j.id,
    kind: j.kind,
    idempotency_key: j.idempotencyKey,
    tenant_id: j.tenantId,
    status: j.status,
    attempts: j.attempts,
    max_attempts: j.maxAttempts,
    run_after: j.runAfter,
    lease_until: j.leaseUntil,
    last_error: j.lastError,
    payload: j.payload,
    created_at: j.createdAt,
    updated_at: j.updatedAt,
    finished_at: j.finishedAt,
  };
}

/** The outbox for admins: what is queued, running, done and dead, and a retry for the dead. */
export function registerJobRoutes(server: Server, deps: JobRouteDeps): void {
  const { outbox, runner } = deps;

  const handle = jsonRoute(deps);

  const jobParam = (req: Request): OutboxJob => {
    const id = positiveIdParam(req, 'id', 'job id');
    const job = outbox.get(id);
    if (!job) throw new ApiError(404, 'job_not_found', `No job with id ${id}.`);
    return job;
  };

  server.get(
    '/api/v1/m365/jobs',
    handle((req) => {
      requireUnscopedKey(req);
      const q = parseQuery(jobListQuery, req);
      const page = outbox.list({ status: q.status, kind: q.kind, limit: q.limit, offset: q.offset });
      const body: z.infer<typeof jobListSchema> = {
        data: page.rows.map(jobJson),
        pagination: pagination(q.limit, q.offset, page.total),
        counts: outbox.countByStatus(),
      };
      return body;
    }),
  );

  server.post(
    '/api/v1/m365/jobs/:id/retry',
    handle((req) => {
      requireUnscopedKey(req);
      parseQuery(noQuery, req);
      const job = jobParam(req);
      if (job.status !== 'dead') {
        throw new ApiError(
          409,
          'job_not_dead',
          `Job ${job.id} is ${job.status}; only dead jobs can be retried (the runner retries the others itself).`,
        );
      }
      const requeued = runner.retryDead(job.id);
      // Only a concurrent retry can get here: the job was dead a moment ago.
      if (!requeued) throw new ApiError(409, 'job_not_dead', `Job ${job.id} was retried by another request just now.`);
      const body: z.infer<typeof retriedSchema> = { data: jobJson(requeued) };
      return body;
    }),
  );
}
