import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

/**
 * How long one Graph request (each attempt, each redirect hop, including reading its body) may take.
 * Graph's own gateway gives up after about 100 s, and the largest answer (a usage report of 100,000
 * users, some tens of MB) downloads well within this; a tenant that never answers must not hold one
 * of the SYNC_CONCURRENCY slots, and every other tenant behind it, for ever.
 */
export const GRAPH_REQUEST_TIMEOUT_MS = 120_000;

/**
 * Thrown when Graph did not answer in time. The Graph client wraps it in a GraphError whose code is
 * this error's name, so the name is the system's own ETIMEDOUT, which explainTenantError reports as
 * a network error naming the endpoints to check.
 */
export class GraphRequestTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(method: string, url: string, ms: number) {
    super(`${method} ${url} got no answer within ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`);
    this.name = 'ETIMEDOUT';
  }
}

/**
 * Graph client middleware, placed just before the HTTP handler so that each retry and redirect has
 * its own time. The caller's own signal (a cancelled sync) still aborts the request.
 */
export class RequestTimeoutHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly ms: number = GRAPH_REQUEST_TIMEOUT_MS) {}

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error('RequestTimeoutHandler must be followed by the HTTP message handler');
    const timeout = AbortSignal.timeout(this.ms);
    const given = context.options?.signal ?? undefined;
    context.options = { ...context.options, signal: given ? AbortSignal.any([given, timeout]) : timeout };
    try {
      await this.next.execute(context);
    } catch (error) {
      if (timeout.aborted && !given?.aborted) {
        const request = context.request;
        const url = typeof request === 'string' ? request : request.url;
        throw new GraphRequestTimeout(context.options.method ?? 'GET', url, this.ms);
      }
      throw error;
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}
