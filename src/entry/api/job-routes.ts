import { requireUnscopedKey } from './api-auth';
import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import { z } from 'zod';
import type { JobRunner } from '../../usecases/outbox/job-runner';
import { JOB_STATUSES, type OutboxJob, type OutboxStore } from '../../usecases/outbox/outbox-store';
import { ApiError } from './api-errors';
import { integer, jsonRoute, parseQuery, positiveIdParam } from './api-route';
import { pagination } from './pagination';

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

function jobJson(j: OutboxJob) {
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
      return {
        data: page.rows.map(jobJson),
        pagination: pagination(q.limit, q.offset, page.total),
        counts: outbox.countByStatus(),
      };
    }),
  );

  server.post(
    '/api/v1/m365/jobs/:id/retry',
    handle((req) => {
      requireUnscopedKey(req);
      parseQuery(z.object({}).strict(), req);
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
      return { data: jobJson(requeued) };
    }),
  );
}
