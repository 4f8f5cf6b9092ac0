import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_NODE_FLAGS } from '../bench/production-flags';
import { parseConfig } from '../src/config/config';
import { ROOT, waitFor } from './helpers/app-process';

/**
 * The Dockerfile. Its structure is checked everywhere; the image is built and run only where a
 * container engine answers (`docker info`), so CI needs none.
 */
interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [keyword, ...rest] = l.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

function stages(all: Instruction[]): Stage[] {
  const out: Stage[] = [];
  for (const i of all) {
    if (i.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args);
      out.push({ from: m?.[1] ?? i.args, name: m?.[2], instructions: [] });
    } else {
      out[out.length - 1]?.instructions.push(i);
    }
  }
  return out;
}

/** An exec-form (JSON array) argument, or undefined for the shell form. */
function execForm(args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? (parsed as string[]) : undefined;
  } catch {
    return undefined;
  }
}

const text = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const all = instructions(text);
const built = stages(all);
const runtime = built[built.length - 1];
const inRuntime = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);

describe('Dockerfile', () => {
  it('builds in one stage (all dependencies, npm run build) and runs from another with production dependencies only', () => {
    expect(built.length).toBeGreaterThanOrEqual(2);
    const runs = (stage: Stage) =>
      stage.instructions
        .filter((i) => i.keyword === 'RUN')
        .map((i) => i.args)
        .join('\n');
    const byName = new Map(built.filter((s) => s.name).map((s) => [s.name as string, s]));
    // A stage and the stages it is FROM: what was run before it.
    const lineage = (stage: Stage): Stage[] =>
      byName.has(stage.from) ? [...lineage(byName.get(stage.from) as Stage), stage] : [stage];
    const ranIn = (stage: Stage) => lineage(stage).map(runs).join('\n');

    const copiedFrom = (what: string) => {
      const copy = inRuntime('COPY').find(
        (c) => c.args.endsWith(what) || c.args.includes(` ${what} `) || c.args.includes(`/${what} `),
      );
      const from = /--from=(\S+)/.exec(copy?.args ?? '')?.[1];
      return from ? byName.get(from) : undefined;
    };
    const distStage = copiedFrom('dist');
    expect(distStage, 'the runtime copies dist/ from a build stage').toBeDefined();
    expect(ranIn(distStage as Stage)).toMatch(/npm ci --no-audit/);
    expect(ranIn(distStage as Stage)).toMatch(/npm run build/);
    const modulesStage = copiedFrom('node_modules');
    expect(modulesStage, 'the runtime copies node_modules from a stage').toBeDefined();
    expect(ranIn(modulesStage as Stage)).toMatch(/npm ci --omit=dev/);
    expect(ranIn(modulesStage as Stage)).not.toMatch(/npm run build/);
    // .npmrc answers the npx that botbuilder-dialogs' install script runs.
    expect(all.some((i) => i.keyword === 'COPY' && i.args.includes('.npmrc'))).toBe(true);
  });

  it('runs as a user other than root', () => {
    const users = inRuntime('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users[users.length - 1].args.trim());
  });

  it('starts node dist/main.js in exec form, so SIGTERM reaches node (with tini as PID 1)', () => {
    const cmd = execForm(inRuntime('CMD').pop()?.args ?? '');
    expect(cmd).toEqual(['node', ...PRODUCTION_NODE_FLAGS.split(' '), 'dist/main.js']);
    const entrypoint = inRuntime('ENTRYPOINT').pop();
    if (entrypoint) expect(execForm(entrypoint.args)?.[0]).toMatch(/tini$/);
  });

  it('checks its health on /healthz with node (the slim image has no curl), on the port it exposes', () => {
    const health = inRuntime('HEALTHCHECK').pop()?.args ?? '';
    const command = execForm(health.slice(health.indexOf('CMD') + 3).trim());
    expect(command?.slice(0, 2)).toEqual(['node', '-e']);
    expect(command?.[2]).toMatch(/\/healthz/);
    // The port: PORT as set in the image, the app's own default otherwise.
    const port = parseConfig({ PLAYGROUND: 'off' }).port;
    expect(inRuntime('EXPOSE').map((e) => e.args.trim())).toEqual([String(port)]);
    const env = inRuntime('ENV')
      .map((e) => e.args)
      .join(' ');
    expect(env).toMatch(new RegExp(`PORT=${port}\\b`));
  });

  it('declares the data directory (DATA_DIR, ./data under WORKDIR) as a volume the user owns', () => {
    const workdir = inRuntime('WORKDIR').pop()?.args.trim() ?? '/';
    const dataDir = path.posix.join(workdir, parseConfig({}, 'local', '/').dataDir);
    expect(inRuntime('VOLUME').flatMap((v) => execForm(v.args) ?? v.args.split(/\s+/))).toContain(dataDir);
    expect(
      inRuntime('RUN')
        .map((r) => r.args)
        .join('\n'),
    ).toMatch(new RegExp(`chown node:node ${dataDir}`));
    expect(inRuntime('USER').pop()?.args.trim()).toBe('node');
  });

  it('keeps secrets, data and local installs out of the build context (.dockerignore)', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['env', 'node_modules', 'dist', 'data', '.git', '*.pem', '*.key'])
      expect(ignored, entry).toContain(entry);
  });
});

function engineAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!engineAnswers())('the image (a container engine answers here)', () => {
  it('builds, starts the demo and turns healthy', { timeout: 900_000 }, async () => {
    const run = promisify(execFile);
    const tag = `seat-steward-test:${process.pid}`;
    await run('docker', ['build', '-t', tag, '.'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    const { stdout } = await run('docker', ['run', '-d', '--rm', '--health-interval=2s', tag]);
    const id = stdout.trim();
    try {
      let status = '';
      await waitFor(
        async () => {
          status = (await run('docker', ['inspect', '-f', '{{.State.Health.Status}}', id])).stdout.trim();
          return status === 'healthy';
        },
        'the container to turn healthy',
        () => status,
        120_000,
      );
      const { stdout: user } = await run('docker', ['exec', id, 'id', '-u']);
      expect(user.trim()).not.toBe('0');
    } finally {
      await run('docker', ['stop', id]).catch(() => undefined);
      await run('docker', ['rmi', tag]).catch(() => undefined);
    }
  });
});
