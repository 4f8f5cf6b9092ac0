/**
 * Runs a command with the demo tenant's certificate trusted (NODE_EXTRA_CA_CERTS), which
 * Node only reads at start-up: `tsx scripts/with-demo-ca.ts vitest run`.
 */
import { spawn } from 'node:child_process';
import { demoTrustEnv } from '../src/app/demo-trust';
import { loadConfig } from '../src/config/config';

async function run(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) throw new Error('usage: tsx scripts/with-demo-ca.ts <command> [args...]');
  const { caFile } = await demoTrustEnv(loadConfig().dataDir);
  const child = spawn(command, args, {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
    shell: process.platform === 'win32',
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

run().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
