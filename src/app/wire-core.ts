import path from 'node:path';
import type { Logger } from 'pino';
import type { TenantConnection } from '../adapters/graph/graph-client';
import { JweCredentialKeys } from '../adapters/secrets/jwe-keys';
import { SecretBox } from '../adapters/secrets/secret-box';
import { SqliteAccessGroupMembers } from '../adapters/sqlite/exclusion-group-store';
import { SqliteAccessGrants } from '../adapters/sqlite/access-grants';
import { ConversationStore } from '../adapters/sqlite/conversations';
import { databaseFile, openDatabase, type Db } from '../adapters/sqlite/database';
import { acquireInstanceLock } from '../adapters/sqlite/instance-lock';
import { ReadWorkerThreads } from '../adapters/sqlite/read-worker-thread';
import { isStorageFull } from '../adapters/sqlite/storage-full';
import { SyncRunStore } from '../adapters/sqlite/sync-runs';
import { systemClock, type Clock } from '../domain/clock';
import { SqliteTenantConnectionStore } from '../adapters/sqlite/tenant-connections';
import { TenantStore } from '../adapters/sqlite/tenants';
import { UserLookup } from '../adapters/sqlite/user-lookup';
import type { AppConfig, SecretsConfig } from '../config/config';
import { TenantRegistry, type NewTenant } from '../usecases/tenants/tenant-registry';
import type { SecretSealer } from '../usecases/tenants/ports';
import { ClientAccess } from '../usecases/access/client-access';
import type { AccessGrantStore } from '../usecases/access/ports';
import {
  demoMspClientId,
  startEmbeddedDemoTenant,
  startPortfolioDemoTenants,
  type EmbeddedDemoTenant,
} from './demo-connection';
import type { DisposalStack } from './disposal';
import { TenantGraphs } from './wire-graph';

/** What every feature is built on: the data directory's lock, the database, the tenants and their Graph clients. */
export interface Core {
  db: Db;
  tenants: TenantStore;
  runs: SyncRunStore;
  readWorkers: ReadWorkerThreads;
  conversations: ConversationStore;
  users: UserLookup;
  tenantRegistry: TenantRegistry;
  graphs: TenantGraphs;
  demoTenant: EmbeddedDemoTenant | undefined;
  /** Who sees which MSP clients' tenants (ADMINS, CLIENT_ACCESS, grants stored through the REST API). */
  clientAccess: ClientAccess;
  accessGrants: AccessGrantStore;
  /** The time sync runs are stamped with and the schedule reads (the system's unless a test steps it). */
  clock: Clock;
  /** Seals secrets at rest with SECRET_STORE_KEY (tenant client secrets, webhook secrets). */
  secrets: SecretSealer;
  /** The keypair callers encrypt tenant credentials to (POST /api/v1/m365/tenants). */
  credentialKeys: JweCredentialKeys;
  /** The Microsoft tenant ids of the tenants the environment (or the demo, DEMO_TENANTS) configures: every start writes them again. */
  environmentEntraTenantIds: string[];
}

export async function wireCore(
  config: Pick<AppConfig, 'dataDir' | 'tenant' | 'secrets' | 'admins' | 'clientAccess'>,
  deps: { logger: Logger; demoTenant?: EmbeddedDemoTenant; clock?: Clock },
  disposals: DisposalStack,
): Promise<Core> {
  const { logger } = deps;
  const lock = acquireInstanceLock(config.dataDir);
  disposals.add('the DATA_DIR lock', () => lock.release());
  const db = openDatabase(databaseFile(config.dataDir));
  disposals.add('the database', () => db.close());
  // Pages of users are rendered to their REST JSON on the read workers, which load the renderer by
  // path (without extension: the .ts source under tsx, the .js file in a build).
  const readWorkers = new ReadWorkerThreads(
    databaseFile(config.dataDir),
    path.join(__dirname, '..', 'entry', 'api', 'user-json'),
  );
  disposals.add('the read workers', () => readWorkers.close());

  let demoTenant = deps.demoTenant;
  if (config.tenant.kind === 'demo' && !demoTenant) {
    const started = (demoTenant = await startEmbeddedDemoTenant(config, logger));
    disposals.add('the demo tenant', () => started.close());
  }

  const secrets = secretBoxFor(config.secrets, config.tenant.kind, logger);
  const tenantRegistry = new TenantRegistry({ store: new SqliteTenantConnectionStore(db), secrets });
  // DEMO_TENANTS: more demo organisations beside the first, each registered under a demo MSP client.
  const portfolio = demoTenant ? await startPortfolioDemoTenants(config, demoTenant, logger) : [];
  for (const extra of portfolio) disposals.add(`the demo tenant ${extra.organizationName}`, () => extra.close());
  const fromEnvironment = environmentTenant(config.tenant, demoTenant);
  storeEnvironmentTenants(
    tenantRegistry,
    portfolio.length === 0
      ? [fromEnvironment]
      : [
          { ...fromEnvironment, mspClientId: demoMspClientId(0) },
          ...portfolio.map((extra, i) => ({
            ...asNewTenant(extra.connection, extra.organizationName, 'demo'),
            mspClientId: demoMspClientId(i + 1),
          })),
        ],
    logger,
  );
  const users = new UserLookup(db);
  const tenants = new TenantStore(db);
  const environmentEntraTenantIds = [fromEnvironment, ...portfolio.map((extra) => extra.connection)].map(
    (t) => t.entraTenantId,
  );
  const accessGrants = new SqliteAccessGrants(db);
  const credentialKeys = await JweCredentialKeys.open(config.dataDir);
  return {
    db,
    tenants,
    runs: new SyncRunStore(db, deps.clock ?? systemClock),
    readWorkers,
    conversations: new ConversationStore(db),
    users,
    tenantRegistry,
    graphs: new TenantGraphs(tenantRegistry),
    demoTenant,
    accessGrants,
    clientAccess: new ClientAccess({
      environment: config.clientAccess,
      store: accessGrants,
      admins: config.admins,
      demoOnly: config.tenant.kind === 'demo',
      upnOf: (id) => users.upnOf(id),
      groups: new SqliteAccessGroupMembers(db, () =>
        environmentEntraTenantIds.flatMap((entraId) => tenants.find(entraId)?.id ?? []),
      ),
    }),
    clock: deps.clock ?? systemClock,
    secrets,
    credentialKeys,
    environmentEntraTenantIds,
  };
}

/** The environment's tenants (one, or the demo's several), then the re-seal of every stored secret. */
function storeEnvironmentTenants(tenantRegistry: TenantRegistry, tenants: NewTenant[], logger: Logger): void {
  for (const tenant of tenants) storeEnvironmentTenant(tenantRegistry, tenant, logger);
  resealSecrets(tenantRegistry, logger);
}

function storeEnvironmentTenant(tenantRegistry: TenantRegistry, fromEnvironment: NewTenant, logger: Logger): void {
  try {
    const ensured = tenantRegistry.ensureFromEnvironment(fromEnvironment);
    if (ensured.outcome !== 'unchanged') {
      logger.info(
        { tenant: ensured.tenant.entraTenantId, outcome: ensured.outcome, changed: ensured.changed },
        'tenant connection stored from the environment',
      );
    }
  } catch (error) {
    // A full disk must not stop the start: the last snapshot is still served (syncs pause until space is back).
    const held = isStorageFull(error) ? tenantRegistry.holdFromEnvironment(fromEnvironment) : undefined;
    if (!held) throw error;
    logger.warn(
      { tenant: held.entraTenantId, err: error },
      'the disk is full: the tenant connection from the environment is used from memory until it can be stored',
    );
  }
}

function resealSecrets(tenantRegistry: TenantRegistry, logger: Logger): void {
  const resealed = tenantRegistry.resealStoredSecrets();
  if (resealed.resealed.length > 0)
    logger.info(
      { tenants: resealed.resealed.map((t) => t.entraTenantId) },
      'stored client secrets re-sealed with SECRET_STORE_KEY',
    );
  if (resealed.unreadable.length > 0) {
    logger.warn(
      { problems: resealed.unreadable.map((u) => u.error.message) },
      'stored client secrets could not be re-sealed; those tenants will not sync until fixed',
    );
  }
}

/**
 * SECRET_STORE_KEY (and SECRET_STORE_KEY_PREVIOUS while rotating). The demo runs without one: its secret
 * is public and its connection is written again at every start, so a per-process key will do.
 */
function secretBoxFor(secrets: SecretsConfig, tenantKind: AppConfig['tenant']['kind'], logger: Logger): SecretBox {
  const { key, previousKey } = secrets;
  if (key) return new SecretBox({ current: key, previous: previousKey ? [previousKey] : [] });
  if (tenantKind === 'demo') {
    logger.info(
      "no SECRET_STORE_KEY: the demo tenant's secret is sealed with a key that lasts until this process stops",
    );
    return SecretBox.ephemeral();
  }
  // Config validation allows this only for a certificate, which stores no secret.
  return new SecretBox({});
}

/** The tenant TENANT_ID... configure, or the demo tenant when they are unset. */
function environmentTenant(tenant: AppConfig['tenant'], demoTenant: EmbeddedDemoTenant | undefined): NewTenant {
  if (tenant.kind === 'entra') return asNewTenant(tenant, tenant.entraTenantId, 'entra');
  if (!demoTenant) throw new Error('the demo tenant was not started');
  return asNewTenant(demoTenant.connection, demoTenant.organizationName, 'demo');
}

function asNewTenant(conn: TenantConnection, tenantName: string, source: NewTenant['source']): NewTenant {
  return {
    entraTenantId: conn.entraTenantId,
    tenantName,
    source,
    connection: {
      appClientId: conn.appClientId,
      authorityHost: conn.authorityHost,
      graphEndpoint: conn.graphEndpoint,
      credential: conn.credential,
    },
  };
}
