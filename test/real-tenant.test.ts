import { afterEach, describe, expect, it } from 'vitest';
import { databaseFile, openDatabase } from '../src/adapters/sqlite/database';
import {
  bannerPort,
  firstSyncOutcome,
  realTenantEnv,
  startApp,
  startDemoTenantProcess,
  type RunningProcess,
} from './helpers/app-process';
import { tempDir } from './helpers/harness';

/**
 * The real-tenant configuration (TENANT_ID, CLIENT_ID, SECRET_CLIENT_SECRET, GRAPH_ENDPOINT,
 * AUTHORITY_HOST) pointed at a Graph-compatible endpoint that is not one of Microsoft's clouds:
 * the demo tenant in its own process, reached exactly as an admin would reach such an endpoint.
 */
const running: RunningProcess[] = [];

afterEach(async () => {
  for (const proc of running.splice(0)) {
    proc.killGroup('SIGTERM');
    await proc.exited;
  }
});

describe('a real-tenant configuration with a non-Microsoft authority', () => {
  it.each(['127.0.0.1', 'localhost'])(
    'signs in at %s and syncs (instance discovery off for a non-Microsoft host)',
    async (host) => {
      const demo = await startDemoTenantProcess(40, host);
      running.push(demo.process);
      const url = demo.info.url;
      expect(new URL(url).hostname).toBe(host);
      const dataDir = tempDir('real-tenant');
      const app = startApp('production', {
        ...realTenantEnv(demo),
        DATA_DIR: dataDir,
        PORT: '0',
        PLAYGROUND: 'off',
        LOG_LEVEL: 'info',
      });
      running.push(app);

      const port = await bannerPort(app);
      expect(app.output()).toContain(`Tenant         tenant ${demo.info.tenantId} via ${url}`);
      const outcome = await firstSyncOutcome(port, app);
      expect(outcome, app.output()).toBe('success');

      const db = openDatabase(databaseFile(dataDir));
      try {
        expect(db.prepare('SELECT COUNT(*) FROM users').pluck().get()).toBe(40);
      } finally {
        db.close();
      }
    },
  );
});
