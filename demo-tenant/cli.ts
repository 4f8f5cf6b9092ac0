import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDemoCertificate } from './certificate';
import { loadDemoTenantFile } from './fixture';
import { generateDemoTenant } from './generator';
import { startDemoTenant } from './server';

const USAGE = `Usage: tsx demo-tenant/cli.ts [--users N] [--seed S] [--port P] [--host H]
       [--data-dir D] [--tls-dir T] [--fixture FILE] [--page-size-pattern full|short] [--max-page-size N] [--control] [--no-report-budget]
       [--copilot-seat-share F]

Starts the demo tenant and prints one JSON line {"url","tenantId","clientId","clientSecret"}
once it is listening. Stops on SIGTERM or SIGINT. The TLS certificate lives in --tls-dir,
by default <data-dir>/tls (data-dir defaults to $DATA_DIR or ./data).`;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${raw}'`);
  return n;
}

/** --copilot-seat-share: Copilot seats bought as a share of members (the generator's default when absent). */
function share(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new Error(`--copilot-seat-share must be a number from 0 to 1, got '${raw}'`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string' },
      seed: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'tls-dir': { type: 'string' },
      fixture: { type: 'string' },
      'page-size-pattern': { type: 'string' },
      'max-page-size': { type: 'string' },
      control: { type: 'boolean' },
      'no-report-budget': { type: 'boolean' },
      'copilot-seat-share': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const pattern = values['page-size-pattern'] ?? 'full';
  if (pattern !== 'full' && pattern !== 'short')
    throw new Error(`--page-size-pattern must be full or short, got '${pattern}'`);
  const dataDir = path.resolve(values['data-dir'] ?? process.env.DATA_DIR ?? './data');
  const tls = await ensureDemoCertificate(path.resolve(values['tls-dir'] ?? path.join(dataDir, 'tls')));
  const data = values.fixture
    ? loadDemoTenantFile(path.resolve(values.fixture))
    : generateDemoTenant({
        users: positiveInt('users', values.users, 1000),
        seed: positiveInt('seed', values.seed, 1),
        copilotSeatShare: share(values['copilot-seat-share']),
      });
  if (values['no-report-budget']) data.reportBudget = false;
  const tenant = await startDemoTenant({
    data,
    tls,
    host: values.host,
    port: positiveInt('port', values.port, 0),
    pageSizePattern: pattern,
    maxPageSize: positiveInt('max-page-size', values['max-page-size'], 999),
    control: values.control ?? false,
  });
  process.stdout.write(
    `${JSON.stringify({ url: tenant.url, tenantId: tenant.tenantId, clientId: tenant.clientId, clientSecret: tenant.clientSecret })}\n`,
  );
  const stop = (): void => {
    tenant.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo tenant: ${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
});
