/**
 * Many demo tenants in ONE process of their own, for bench:msp: an MSP's hundreds of customer
 * tenants without hundreds of processes, and without loading the app's process with them
 * (DEMO_TENANTS starts its demo servers inside the app, which is right for the demo and wrong for
 * measuring the app's RSS).
 *
 * One demo tenant per organisation (the demo server keeps per-tenant state besides the data: its
 * token key, fault rules, audit queries, report budget, throttled writes), all behind ONE origin,
 * as real tenants all answer at login.microsoftonline.com and graph.microsoft.com: the app then
 * keeps one connection pool, not one per tenant. With a port per tenant the app held 500 pools of
 * about 20 connections and their TLS sessions, memory no MSP's app would hold. The front server
 * routes each request by the tenant its path or bearer token names. 501 tenants of 200 users take
 * ~8 s to generate and a few hundred MB in this separate process.
 *
 * `latencyMs` is added to every answer (token, discovery, Graph, Management API) through the demo
 * server's own fault injector (a delay-only rule), as a tenant answering from afar would. The sync
 * sends no JSON $batch, whose inner requests the injector would delay one by one.
 *
 * Run as `node --import tsx bench/demo-fleet.ts serve` with BENCH_FLEET (JSON FleetOptions) in the
 * environment: it prints one JSON line, the FleetTenant[], once every server listens, and stops
 * on SIGTERM. startDemoFleet() does that and reads the line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ensureDemoCertificate } from '../demo-tenant/certificate';
import { generateDemoTenant } from '../demo-tenant/generator';
import { startDemoTenant, type DemoTenant } from '../demo-tenant/server';

export interface FleetOptions {
  /** Demo tenants to serve (index 0 is the MSP's own organisation, the rest its customers). */
  count: number;
  usersPerTenant: number;
  latencyMs: number;
  /** The demo certificate lives in <dataDir>/tls, the one the app's process trusts. */
  dataDir: string;
}

export interface FleetTenant {
  index: number;
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  name: string;
  domain: string;
}

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

/** Fixed ids and names per index, so two runs (and a baseline run) meet the same tenants. */
export function fleetOrganization(index: number): Omit<FleetTenant, 'url'> {
  const number = String(index).padStart(3, '0');
  return {
    index,
    tenantId: `be4c0000-${hex(index, 4)}-4000-8000-${hex(index, 12)}`,
    clientId: `be4ca990-${hex(index, 4)}-4000-8000-${hex(index, 12)}`,
    clientSecret: `Bench8Q~Fleet.Tenant${number}.NotARealSecret00`,
    name: index === 0 ? 'Bench MSP' : `Bench Customer ${number}`,
    domain: index === 0 ? 'benchmsp.onmicrosoft.com' : `benchcustomer${number}.onmicrosoft.com`,
  };
}

async function serve(): Promise<void> {
  const options = JSON.parse(process.env.BENCH_FLEET ?? '') as FleetOptions;
  const tls = await ensureDemoCertificate(path.join(options.dataDir, 'tls'));
  const byTenantId = new Map<string, DemoTenant>();
  const downloads = new Map<string, DemoTenant>();
  const front = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const tenant = tenantOf(req, byTenantId, downloads);
    if (!tenant) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('demo fleet: no tenant answers this request');
      return;
    }
    // A report's download link names no tenant (real Graph sends a pre-signed link): remember whose it is.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      const headers = args.find((a): a is Record<string, unknown> => typeof a === 'object' && a !== null);
      const location = headers?.Location ?? headers?.location;
      const token = typeof location === 'string' ? /\/_reportdownload\/([^/?]+)/.exec(location)?.[1] : undefined;
      if (token) downloads.set(token, tenant);
      return writeHead(...args);
    }) as typeof res.writeHead;
    tenant.handle(req, res);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const origin = `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
  const stop = () => {
    front.close(() => process.exit(0));
    front.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const tenants: FleetTenant[] = [];
  for (let index = 0; index < options.count; index++) {
    const org = fleetOrganization(index);
    const data = generateDemoTenant({
      users: options.usersPerTenant,
      seed: 1000 + index,
      tenantId: org.tenantId,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      organization: { name: org.name, domain: org.domain },
    });
    const server = await startDemoTenant({ data, tls, sharedOrigin: origin });
    if (options.latencyMs > 0) server.faults.add({ path: '/*', delayMs: options.latencyMs, times: Infinity });
    byTenantId.set(org.tenantId.toLowerCase(), server);
    tenants.push({ ...org, url: server.url });
  }
  process.stdout.write(`${JSON.stringify(tenants)}\n`);
}

/**
 * Which tenant a request is for: Entra's paths and the Management API's name the tenant; Graph's
 * carry it in the bearer token's `tid` (read unverified here: the tenant then checks the token).
 */
function tenantOf(
  req: IncomingMessage,
  byTenantId: ReadonlyMap<string, DemoTenant>,
  downloads: ReadonlyMap<string, DemoTenant>,
): DemoTenant | undefined {
  const segments = (req.url ?? '/').split('?')[0]!.split('/').filter(Boolean);
  const named = byTenantId.get((segments[0] ?? '').toLowerCase()) ?? byTenantId.get((segments[2] ?? '').toLowerCase());
  if (named) return named;
  if (segments[0] === '_reportdownload') return downloads.get(segments[1] ?? '');
  const token = /^Bearer\s+[^.]+\.([^.]+)\./i.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof claims.tid === 'string' ? byTenantId.get(claims.tid.toLowerCase()) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the fleet in its own process; resolves once every tenant listens. */
export async function startDemoFleet(options: FleetOptions): Promise<{ tenants: FleetTenant[]; child: ChildProcess }> {
  // Node itself with tsx's loader (not the tsx CLI, which would add a wrapper process a kill does not reach).
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, 'serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_FLEET: JSON.stringify(options) },
  });
  const lines = createInterface({ input: child.stdout! });
  const tenants = await new Promise<FleetTenant[]>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the demo tenant fleet exited with ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as FleetTenant[]));
  });
  return { tenants, child };
}

if (require.main === module && process.argv[2] === 'serve') {
  serve().catch((error: unknown) => {
    process.stderr.write(`demo tenant fleet: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
