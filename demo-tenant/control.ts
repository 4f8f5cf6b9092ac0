import { z } from 'zod';
import type { FaultInjector, FaultRuleJson } from './faults';
import { readBody, type RequestContext } from './http';
import { churnLicences } from './licence-churn';
import type { Router } from './router';
import type { TenantStore } from './store';

export interface RequestRecord {
  method: string;
  /** Pathname plus query string, as received. */
  path: string;
  /** 0 when the connection was dropped or closed before a response. */
  status: number;
  /** Epoch milliseconds when the request arrived. */
  startedAt: number;
  durationMs: number;
  /** Set for a request that arrived inside a JSON $batch (the batch itself is one round-trip). */
  inBatch?: boolean;
}

const ruleSchema: z.ZodType<FaultRuleJson> = z
  .object({
    method: z.string().optional(),
    path: z.string().optional(),
    pathRegex: z.string().optional(),
    status: z.number().int().min(100).max(599).optional(),
    code: z.string().optional(),
    message: z.string().optional(),
    retryAfterSeconds: z.number().nonnegative().optional(),
    headers: z.record(z.string()).optional(),
    times: z.number().int().positive().nullable().optional(),
    skip: z.number().int().nonnegative().optional(),
    dropConnection: z.boolean().optional(),
    delayMs: z.number().nonnegative().optional(),
  })
  .strict();

function sendJson(ctx: RequestContext, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  ctx.res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  ctx.res.end(text);
}

/**
 * Out-of-process control (benchmarks run the tenant as a child process), only
 * mounted when the server is started with `control: true`.
 */
export function registerControlRoutes(
  router: Router,
  faults: FaultInjector,
  requests: RequestRecord[],
  store?: TenantStore,
): void {
  // bench:webhooks: `{"licences": N}` changes N users' licences before the next sync (see licence-churn.ts).
  router.add('POST', '/_demo/licence-churn', async (ctx) => {
    const parsed = z
      .object({ licences: z.number().int().nonnegative() })
      .strict()
      .safeParse(JSON.parse((await readBody(ctx.req)) || '{}'));
    if (!parsed.success || !store) {
      sendJson(ctx, 400, { error: store ? 'body must be {"licences": N}' : 'no tenant data to change' });
      return;
    }
    const changed = churnLicences(store.data, parsed.data.licences);
    store.replace(store.data);
    sendJson(ctx, 200, { changed });
  });
  router.add('POST', '/_demo/faults', async (ctx) => {
    let json: unknown;
    try {
      json = JSON.parse(await readBody(ctx.req));
    } catch {
      sendJson(ctx, 400, { error: 'body must be JSON: a fault rule or an array of rules' });
      return;
    }
    // Parsed separately so a bad field is named instead of zod's generic union failure.
    const parsed = Array.isArray(json)
      ? z.array(ruleSchema).safeParse(json)
      : ruleSchema.transform((r) => [r]).safeParse(json);
    if (!parsed.success) {
      sendJson(ctx, 400, {
        error: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
      });
      return;
    }
    try {
      for (const rule of parsed.data) faults.addJson(rule);
    } catch (err) {
      sendJson(ctx, 400, { error: (err as Error).message });
      return;
    }
    sendJson(ctx, 201, { pending: faults.pending });
  });
  router.add('DELETE', '/_demo/faults', (ctx) => {
    faults.clear();
    // restify patches ServerResponse.writeHead globally and its version does not return the response.
    ctx.res.writeHead(204);
    ctx.res.end();
  });
  router.get('/_demo/requests', (ctx) => sendJson(ctx, 200, { value: requests }));
  router.add('DELETE', '/_demo/requests', (ctx) => {
    requests.length = 0;
    // restify patches ServerResponse.writeHead globally and its version does not return the response.
    ctx.res.writeHead(204);
    ctx.res.end();
  });
}
