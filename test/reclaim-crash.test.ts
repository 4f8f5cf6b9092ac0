import { afterEach, describe, expect, it } from 'vitest';
import { SKU } from '../demo-tenant/constants';
import { generateDemoTenant } from '../demo-tenant/generator';
import type { GraphUser } from '../demo-tenant/model';
import { databaseFile, openDatabase } from '../src/adapters/sqlite/database';
import { RECLAIM_STEPS } from '../src/usecases/reclaim/reclaim-executor';
import { realTenantEnv, spawnTracked, waitFor, type RunningProcess } from './helpers/app-process';
import { ConnectorRecorder } from './helpers/connector-recorder';
import { startTestDemoTenant, tempDir } from './helpers/harness';
import { ADMIN, cardAction, channel, message, post, TEAMS_TENANT } from './helpers/teams-activities';

/**
 * The app process is killed with SIGKILL between each pair of the executor's steps (after the
 * approval is recorded, after the re-check, after "removing" is recorded, after Graph answered,
 * after the outcomes are recorded, after "giving" to the candidate is recorded, after Graph answered
 * that), then started again on the same DATA_DIR. The demo tenant and
 * the connector live in this test process, so they see every write that reached "Graph". Each
 * licence must end removed, removed exactly once, the chosen seat given to its candidate exactly
 * once, with the store saying so.
 */
const APPROVER = { id: '29:approver', name: 'Adele Approver', aadObjectId: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901' };
const COPILOT = SKU.COPILOT.toLowerCase();

let app: RunningProcess | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  app?.killGroup('SIGKILL');
  await app?.exited;
  app = undefined;
  for (const close of closers.splice(0).reverse()) await close();
});

function stateOf(
  dataDir: string,
): Array<{ id: number; user: string; state: string; reassign: string | null; candidate: string | null }> {
  const db = openDatabase(databaseFile(dataDir));
  try {
    return db
      .prepare(
        "SELECT id, user_principal_name AS user, state, reassign_state AS reassign, json_extract(reassign_to, '$.userId') AS candidate FROM reclaim_items ORDER BY id",
      )
      .all() as Array<{ id: number; user: string; state: string; reassign: string | null; candidate: string | null }>;
  } finally {
    db.close();
  }
}

describe('a crash between any two steps of a reclaim', () => {
  it.each(RECLAIM_STEPS.map((s) => [s]))(
    'killed after "%s": resumes, removes each licence and gives the chosen seat exactly once, records it',
    async (step) => {
      const data = generateDemoTenant({ users: 800, seed: 11 });
      const story = data.activity;
      if (!story) throw new Error('no story');
      // Two enabled holders of a direct Copilot seat the story says were never used or stopped long ago: certain to reclaim.
      const picks = data.users
        .filter(
          (u: GraphUser, i) =>
            u.accountEnabled && (story.users[i].copilot === 'never' || story.users[i].copilot === 'lapsed'),
        )
        .filter(
          (u) =>
            u.licenseAssignmentStates.some((s) => s.skuId.toLowerCase() === COPILOT && s.assignedByGroup === null) &&
            !u.licenseAssignmentStates.some((s) => s.skuId.toLowerCase() === COPILOT && s.assignedByGroup !== null),
        )
        .slice(0, 2);
      expect(picks).toHaveLength(2);
      const demo = await startTestDemoTenant(data);
      closers.push(() => demo.close());
      const connector = new ConnectorRecorder();
      const serviceUrl = await connector.start();
      closers.push(() => connector.stop());
      const dataDir = tempDir('reclaim-crash');
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('npm_') && v !== undefined) env[k] = v;
      Object.assign(env, {
        ...realTenantEnv({
          info: {
            url: demo.server.url,
            tenantId: demo.server.tenantId,
            clientId: demo.server.clientId,
            clientSecret: demo.server.clientSecret,
          },
          caFile: process.env.NODE_EXTRA_CA_CERTS as string,
        }),
        DATA_DIR: dataDir,
        PORT: '0',
        PLAYGROUND: 'off',
        LOG_LEVEL: 'warn',
        RECLAIM_MODE: 'on',
        BOT_ALLOWED_TENANTS: TEAMS_TENANT,
        ADMINS: `${ADMIN.aadObjectId},${APPROVER.aadObjectId}`,
      });
      const start = async (crashAt: string | undefined): Promise<string> => {
        app = spawnTracked(process.execPath, ['--import', 'tsx', 'test/helpers/reclaim-crash-app.ts'], {
          ...env,
          ...(crashAt ? { RECLAIM_CRASH_AT: crashAt } : {}),
        });
        const run = app;
        await waitFor(() => /PORT (\d+)/.test(run.output()), 'the app to listen', run.output);
        return `http://127.0.0.1:${/PORT (\d+)/.exec(run.output())?.[1]}`;
      };

      let url = await start(step);
      // The first sync of an empty cache runs at start.
      await waitFor(
        async () => {
          const health = (await (await fetch(`${url}/healthz`)).json()) as { tenants: Array<{ lastSync: string }> };
          return health.tenants[0]?.lastSync === 'success' || health.tenants[0]?.lastSync === 'partial';
        },
        'the first sync',
        () => app?.output() ?? '',
      );
      const room = channel();
      await post(url, {
        ...message(serviceUrl, room, `reclaim ${picks.map((p) => p.userPrincipalName).join(', ')}`),
        from: ADMIN,
      });
      await waitFor(
        () => stateOf(dataDir).length === 2,
        'the request',
        () => app?.output() ?? '',
      );
      const requestId = (() => {
        const db = openDatabase(databaseFile(dataDir));
        try {
          return db.prepare('SELECT id FROM reclaim_requests').pluck().get() as string;
        } finally {
          db.close();
        }
      })();
      // The first seat goes to the candidate the card offers ("Reclaim and give to …").
      const [givenItem] = stateOf(dataDir);
      expect(givenItem.candidate).toMatch(/^[0-9a-f-]{36}$/);
      const candidate = givenItem.candidate as string;
      // The approval answers before the executor runs; the kill comes at the step.
      // The approver's card lists the seats its Approve acts on.
      const seats = stateOf(dataDir)
        .map((r) => r.id)
        .join(',');
      await post(url, {
        ...cardAction(serviceUrl, room, 'reclaim.approve', { requestId, seats, [`give:${givenItem.id}`]: 'true' }),
        from: APPROVER,
      }).catch(() => undefined);
      const killed = app;
      // It died by its own SIGKILL at the step, not some other way.
      expect((await killed?.exited)?.signal).toBe('SIGKILL');
      const atKill = stateOf(dataDir).map((r) => r.state);
      const givingAtKill = stateOf(dataDir)[0].reassign;

      url = await start(undefined);
      await waitFor(
        () => stateOf(dataDir).every((r) => r.state === 'removed') && stateOf(dataDir)[0].reassign === 'assigned',
        'every seat removed and the first given after the restart',
        () => `${JSON.stringify(stateOf(dataDir))}\n${app?.output() ?? ''}`,
      );
      const holder = demo.server.data.users.find((u) => u.id.toLowerCase() === candidate) as GraphUser;
      expect(holder.licenseAssignmentStates.filter((s) => s.skuId.toLowerCase() === COPILOT)).toHaveLength(1);
      const assigns = demo.server.requests.filter(
        (r) =>
          r.inBatch &&
          r.method === 'POST' &&
          r.path.toLowerCase().includes(`/users/${candidate}/assignlicense`) &&
          r.status === 200,
      );
      expect(assigns, 'licence writes for the candidate').toHaveLength(1);
      expect(stateOf(dataDir)[1].reassign).toBeNull();
      for (const pick of picks) {
        const user = demo.server.data.users.find((u) => u.id === pick.id) as GraphUser;
        expect(user.licenseAssignmentStates.some((s) => s.skuId.toLowerCase() === COPILOT)).toBe(false);
        const removals = demo.server.requests.filter(
          (r) =>
            r.inBatch && r.method === 'POST' && r.path.includes(`/users/${pick.id}/assignLicense`) && r.status === 200,
        );
        expect(removals, `licence writes for ${pick.userPrincipalName}`).toHaveLength(1);
      }
      // Where the kill left the store, by step: the resume started from there.
      const expectedAtKill: Record<string, string> = {
        claimed: 'rechecking',
        removing_recorded: 'removing',
        graph_answered: 'removing',
        outcomes_recorded: 'removed',
        giving_recorded: 'removed',
        giving_answered: 'removed',
      };
      expect(atKill).toEqual([expectedAtKill[step], expectedAtKill[step]]);
      expect(givingAtKill).toBe(step === 'giving_recorded' || step === 'giving_answered' ? 'assigning' : 'pending');
    },
  );
});
