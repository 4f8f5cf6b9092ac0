/**
 * Many demo tenants in ONE process of their own, for bench:msp: an MSP's hundreds of customer
 * tenants without hundreds of processes, and without loading the app's process with them
 * (DEMO_TENANTS starts its demo servers inside the app, which is right for the demo and wrong for
 * measuring the app's RSS).
 *
 * One demo tenant server per organisation, each on its own loopback port: the demo server keeps
 * per-tenant state besides the data (its token key, fault rules, audit queries, report budget,
 * throttled writes), so one server per tenant is the honest stand-in for separate remote tenants.
 * Each is a listening socket and a few hundred KB of generated data at 200 users; 501 of them took
 * ~8 s to generate and start and a few hundred MB in this separate process.
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
  const servers: DemoTenant[] = [];
  const stop = () => {
    void Promise.allSettled(servers.map((s) => s.close())).then(() => process.exit(0));
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
    const server = await startDemoTenant({ data, tls });
    if (options.latencyMs > 0) server.faults.add({ path: '/*', delayMs: options.latencyMs, times: Infinity });
    servers.push(server);
    tenants.push({ ...org, url: server.url });
  }
  process.stdout.write(`${JSON.stringify(tenants)}\n`);
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
