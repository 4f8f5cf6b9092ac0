import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_APP_DIR } from './global-setup';
import { bannerPort, firstSyncOutcome, startBuiltApp, waitFor, type RunningProcess } from './helpers/app-process';
import { ConnectorRecorder, cardText } from './helpers/connector-recorder';
import { TEST_API_KEY, tempDir } from './helpers/harness';
import { message, personal, post } from './helpers/teams-activities';

/**
 * `npm run build` and `node dist/main.js`: the compiled app serves the demo, and its worker
 * threads (the snapshot writer a sync publishes through, the read workers REST pages come from)
 * load compiled files. The test run's global setup (test/global-setup.ts) ran scripts/build.ts into
 * a folder of its own, so that dist/ is left alone; inside the project, where Node finds node_modules.
 */
const outDir = BUILT_APP_DIR;
let app: RunningProcess | undefined;
const connector = new ConnectorRecorder();

afterAll(async () => {
  if (app) {
    app.killGroup('SIGTERM');
    await waitFor(() => !app?.groupAlive(), 'the built app to stop', app.output, 30_000);
  }
  await connector.stop();
});

describe('the build', () => {
  it('compiles to <out>/main.js, which serves the demo with its worker threads and no TypeScript loader', async () => {
    for (const file of [
      'main.js',
      'src/main.js',
      'src/adapters/sqlite/read-worker.js',
      'src/adapters/sqlite/snapshot-worker.js',
      'demo-tenant/server.js',
      'cards/help.json',
    ]) {
      expect(fs.existsSync(path.join(outDir, file)), file).toBe(true);
    }

    app = startBuiltApp(outDir, {
      DATA_DIR: tempDir('built'),
      PORT: '0',
      PLAYGROUND: 'off',
      DEMO_USERS: '40',
      API_KEYS: TEST_API_KEY,
    });
    const port = await bannerPort(app);
    // The start-up sync publishes its snapshot through the snapshot worker thread.
    expect(await firstSyncOutcome(port, app)).toBe('success');

    const base = `http://127.0.0.1:${port}`;
    const tenants = (await (
      await fetch(`${base}/api/v1/m365/tenants`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } })
    ).json()) as { data: Array<{ id: string }> };
    // A page of users is read on a read worker thread.
    const res = await fetch(`${base}/api/v1/m365/tenants/${tenants.data[0]?.id}/users?limit=5&offset=10`, {
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    const page = (await res.json()) as { data: unknown[]; pagination: { total: number } };
    expect(res.status, JSON.stringify(page)).toBe(200);
    expect(page.data).toHaveLength(5);
    expect(page.pagination.total).toBeGreaterThanOrEqual(40);

    // A bot command answers with a card from the copied templates.
    const serviceUrl = await connector.start();
    expect((await post(base, message(serviceUrl, personal(), 'help'))).status).toBeLessThan(300);
    await connector.waitFor((all) => all.some((a) => (a.activity.attachments?.length ?? 0) > 0), 30_000);
    expect(cardText(connector.activities[0]?.activity.attachments?.[0]?.content)).toMatch(/\S/);
    expect(app.output()).not.toMatch(/Error|tsx/);
  });
});
