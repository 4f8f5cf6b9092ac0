import type { Logger } from 'pino';
import { GraphTeamsAppInstaller } from '../adapters/graph/teams-app-installer';
import { SqliteReclaimSeats } from '../adapters/sqlite/reclaim-seats';
import { SqliteReclaimStore } from '../adapters/sqlite/reclaim-store';
import { SqliteTeamsUserIds } from '../adapters/sqlite/teams-users';
import { TeamsHolderReach } from '../adapters/teams/holder-reach';
import { TeamsReclaimMessenger } from '../adapters/teams/reclaim-messenger';
import { botAppId } from '../adapters/teams/teams-adapter';
import { reclaimCards } from '../cards/reclaim-cards';
import type { AppConfig } from '../config/config';
import { systemClock } from '../domain/clock';
import { exclusionNow } from '../domain/seat-exclusion';
import type { TenantRecord } from '../domain/tenant';
import { PermanentError } from '../usecases/outbox/job-errors';
import type { ReclaimStep } from '../usecases/reclaim/reclaim-executor';
import { ReclaimService } from '../usecases/reclaim/reclaim-service';
import type { LicenceGraph } from '../usecases/reclaim/ports';
import { buildAuditRecheck } from './activity-sources';
import type { DisposalStack } from './disposal';
import type { Analytics } from './wire-analytics';
import type { Core } from './wire-core';
import type { Jobs } from './wire-jobs';
import type { Sync } from './wire-sync';

/**
 * One sync per burst of reclaim changes to a tenant, once the burst is over: the approvals of a split
 * request finish one after another, and a sync in the middle would hold the database's writer while
 * the removals are recorded. It runs `delayMs` after the last change, and at most `maxDelayMs` after
 * the first, so a long run of approvals still shows in the figures.
 */
class SyncAfterReclaim {
  private readonly waiting = new Map<string, { timer: NodeJS.Timeout; firstAt: number }>();

  constructor(
    private readonly syncTenant: (tenantId: string) => void,
    private readonly delayMs: number,
    private readonly maxDelayMs: number,
  ) {}

  changed(tenantId: string): void {
    const now = Date.now();
    const pending = this.waiting.get(tenantId);
    if (pending) clearTimeout(pending.timer);
    const firstAt = pending?.firstAt ?? now;
    const timer = setTimeout(
      () => {
        this.waiting.delete(tenantId);
        this.syncTenant(tenantId);
      },
      Math.max(0, Math.min(this.delayMs, firstAt + this.maxDelayMs - now)),
    );
    // A pending sync must not keep the process alive at stop; the next start's schedule catches up.
    timer.unref();
    this.waiting.set(tenantId, { timer, firstAt });
  }

  stop(): void {
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
  }
}

import { reclaimStoreWithEvents } from '../usecases/reclaim/reclaim-events';
import type { WebhookEventLog } from '../usecases/webhooks/ports';
export interface Reclaim {
  reclaims: ReclaimService;
  teamsUsers: SqliteTeamsUserIds;
  /** The Graph side of reclaims per tenant (cached, so its round-trip count adds up). */
  licenceGraphFor: (tenantId: string) => LicenceGraph;
}

export function wireReclaim(
  config: Pick<AppConfig, 'reclaim' | 'audit' | 'reports' | 'analytics' | 'admins' | 'tenant' | 'bot'>,
  core: Core,
  jobs: Jobs,
  sync: Sync,
  analytics: Analytics,
  deps: {
    logger: Logger;
    checkpoint?: (step: ReclaimStep, requestId: string) => void;
    syncDelayMs?: number;
    events?: WebhookEventLog;
  },
  disposals: DisposalStack,
): Reclaim {
  const { db, tenants, graphs, users } = core;
  const { logger } = deps;
  // A reclaim job may outlive its tenant's configuration: that is for good, not worth retrying.
  const configuredTenant = (tenantId: string): TenantRecord => {
    const tenant = tenants.find(tenantId);
    if (!tenant) throw new PermanentError(`Tenant ${tenantId} is no longer configured, so its reclaim cannot go on.`);
    return tenant;
  };
  const licenceGraphFor = (tenantId: string): LicenceGraph => graphs.licenceGraphFor(configuredTenant(tenantId));
  const teamsAppCatalogId = config.reclaim.teamsAppCatalogId;
  const teamsAppInstallerFor = (tenantId: string, catalogId: string): GraphTeamsAppInstaller => {
    const access = graphs.accessFor(configuredTenant(tenantId));
    return new GraphTeamsAppInstaller(access.client, access.conn, catalogId);
  };
  const afterReclaim = new SyncAfterReclaim(
    (tenantId) => {
      // A sync already running may have read the users before the change: a fresh one follows it.
      const first = sync.sync.request(tenantId, 'reclaim');
      const after = first.joined
        ? first.done.catch(() => undefined).then(() => sync.sync.request(tenantId, 'reclaim').done)
        : first.done;
      after.catch((error: unknown) => logger.warn({ err: error, tenantId }, 'the sync after a reclaim failed'));
    },
    deps.syncDelayMs ?? 5_000,
    120_000,
  );
  disposals.add('the syncs waiting after reclaims', () => afterReclaim.stop());
  const reclaimStore = new SqliteReclaimStore(db);
  const teamsUsers = new SqliteTeamsUserIds(db);
  const reclaimSeats = new SqliteReclaimSeats(db);
  const { sourceStatus } = sync;
  const sourceConfig = {
    reports: config.reports,
    audit: config.audit,
    exclusionGroups: config.analytics.exclusions.groups,
  };
  const reclaims = new ReclaimService({
    // Each move of a request or seat is also a webhook event.
    store: deps.events ? reclaimStoreWithEvents(reclaimStore, deps.events, logger) : reclaimStore,
    seats: reclaimSeats,
    newerActivity: reclaimSeats,
    freshActivity: {
      read: (tenantId, input) => {
        const tenant = configuredTenant(tenantId);
        const readable = (source: 'audit_graph' | 'audit_management') =>
          (sourceStatus.get(tenantId, source)?.lastSuccessAt ?? null) !== null;
        return buildAuditRecheck(
          { tenant, graph: graphs.accessFor(tenant), db, ...sourceConfig, logger },
          { graph: readable('audit_graph'), management: readable('audit_management') },
        ).read(input);
      },
    },
    // Tried again every six audit polls (a minute by default) while it waits.
    recheck: { ...config.reclaim.recheck, retryMs: config.audit.pollIntervalMs * 6 },
    reportAsOf: (tenantId) => sourceStatus.get(tenantId, 'copilot_usage')?.asOf ?? null,
    graphFor: licenceGraphFor,
    signInsReadable: (tenantId) => (sourceStatus.get(tenantId, 'sign_in')?.lastSuccessAt ?? null) !== null,
    excludedNow: (tenantId, item) =>
      exclusionNow({
        keptUntil: reclaimStore.keptUntil(tenantId, item.userId, item.skuId, systemClock()),
        seat: reclaimSeats
          .seatsOf(tenantId, [item.userId])
          ?.seats.find((s) => s.skuId.toLowerCase() === item.skuId.toLowerCase()),
        holder: { userId: item.userId, userPrincipalName: item.userPrincipalName },
        exclusions: config.analytics.exclusions,
      }),
    undoDays: config.reclaim.timings.undoDays,
    checkpoint: deps.checkpoint,
    priceFor: (tenantId) => analytics.priceService.priceFor(tenantId),
    queue: jobs.runner,
    rules: {
      approvers: config.reclaim.approvers,
      admins: config.admins,
      twoPersonRule: config.reclaim.twoPersonRule,
      demoOnly: config.tenant.kind === 'demo',
    },
    timings: config.reclaim.timings,
    mode: () => config.reclaim.mode,
    messenger: new TeamsReclaimMessenger(jobs.adapter, botAppId(config.bot), logger),
    cards: reclaimCards,
    teamsUsers,
    reach: new TeamsHolderReach(
      core.conversations,
      teamsAppCatalogId ? (tenantId) => teamsAppInstallerFor(tenantId, teamsAppCatalogId) : null,
    ),
    nudgeByDefault: config.reclaim.nudgeByDefault,
    candidates: (tenantId, limit) => analytics.reads.candidates(tenantId, { offset: 0, limit })?.rows ?? [],
    upnOf: (id) => users.upnOf(id),
    objectIdOf: (upn) => users.objectIdOf(upn),
    access: {
      reaches: (caller, tenantId) => {
        const tenant = core.tenants.find(tenantId);
        return tenant !== undefined && core.clientAccess.sees(caller, tenant);
      },
      approversOf: (tenantId) => {
        const tenant = core.tenants.find(tenantId);
        return tenant ? core.clientAccess.approversOf(tenant) : [];
      },
    },
    // A sync already running may have read the users before the change: a fresh one follows it.
    licencesChanged: (tenantId) => afterReclaim.changed(tenantId),
  });
  reclaims.register(jobs.registry);
  return { reclaims, teamsUsers, licenceGraphFor };
}
