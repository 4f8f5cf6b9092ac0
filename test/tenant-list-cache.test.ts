import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/adapters/sqlite/database';
import { TenantStore } from '../src/adapters/sqlite/tenants';
import { tempDir } from './helpers/harness';

// The tenant list is kept in memory until tenants_version moves (migration 26's triggers). The
// snapshot writer publishes through its own connection, so a change there must show on the next list.
describe('the tenant list kept between reads', () => {
  const open: Db[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
  });
  const twoConnections = (): [Db, Db] => {
    const file = path.join(tempDir('tenant-list-'), 'seat-steward.db');
    const a = openDatabase(file);
    const b = openDatabase(file);
    open.push(a, b);
    return [a, b];
  };

  it('shows a change written through another connection at the next read', () => {
    const [main, writer] = twoConnections();
    const reads = new TenantStore(main);
    const contoso = new TenantStore(writer).ensure({
      entraTenantId: '11111111-1111-4111-8111-111111111111',
      tenantName: 'Contoso',
      source: 'entra',
    });
    expect(reads.list().map((t) => t.tenantName)).toEqual(['Contoso']);

    writer.prepare('UPDATE tenants SET current_snapshot_id = 7 WHERE id = ?').run(contoso.id);
    expect(reads.list()[0]?.currentSnapshotId).toBe(7);

    new TenantStore(writer).ensure({
      entraTenantId: '22222222-2222-4222-8222-222222222222',
      tenantName: 'Adatum',
      source: 'entra',
    });
    expect(reads.list().map((t) => t.tenantName)).toEqual(['Adatum', 'Contoso']);

    writer.prepare('DELETE FROM tenants WHERE id = ?').run(contoso.id);
    expect(reads.list().map((t) => t.tenantName)).toEqual(['Adatum']);
  });

  it('gives each caller its own array of frozen records', () => {
    const [main] = twoConnections();
    const store = new TenantStore(main);
    store.ensure({ entraTenantId: '33333333-3333-4333-8333-333333333333', tenantName: 'Fabrikam', source: 'entra' });
    const first = store.list();
    first.pop();
    expect(store.list()).toHaveLength(1);
    expect(Object.isFrozen(store.list()[0])).toBe(true);
  });

  it('does not keep a list read inside a transaction that is rolled back', () => {
    const [main] = twoConnections();
    const store = new TenantStore(main);
    store.ensure({ entraTenantId: '44444444-4444-4444-8444-444444444444', tenantName: 'Northwind', source: 'entra' });
    expect(store.list()).toHaveLength(1);
    const rollback = new Error('rolled back on purpose');
    expect(() =>
      main.transaction(() => {
        main.prepare("UPDATE tenants SET tenant_name = 'Inside'").run();
        expect(store.list()[0]?.tenantName).toBe('Inside');
        throw rollback;
      })(),
    ).toThrow(rollback);
    // The rollback brought the version back; a different change then reaches the same number.
    main.prepare("UPDATE tenants SET tenant_name = 'After'").run();
    expect(store.list()[0]?.tenantName).toBe('After');
  });
});
