import type { Logger } from 'pino';
import type { AdaptiveCardJson } from '../cards/render';
import type { AppConfig } from '../config/config';
import { adminGate } from '../entry/bot/admin-gate';
import { currentAccess, inAccessScope, scopedTenants } from '../entry/bot/access-scope';
import type { Actor } from '../entry/bot/bot-types';
import type { AdminDecision } from '../domain/admins';
import { activityProcessor, createBotApp } from '../entry/bot/bot-app';
import { registerCardAction } from '../entry/bot/bot-types';
import { auditStopConfirmAction } from '../entry/bot/audit/actions/stop-confirm';
import { auditCommand } from '../entry/bot/audit/command';
import { checkCommand } from '../entry/bot/check/command';
import { consentCommand } from '../entry/bot/consent/command';
import type { MspConsent } from '../usecases/tenants/msp-consent';
import { departmentsCommand } from '../entry/bot/departments/command';
import { digestCommand } from '../entry/bot/digest/command';
import { exportLinkAction } from '../entry/bot/exports/actions/export-link';
import { helpCommand } from '../entry/bot/help/command';
import { portfolioOpenAction } from '../entry/bot/portfolio/actions/open-digest';
import { portfolioCommand } from '../entry/bot/portfolio/command';
import { priceCommand } from '../entry/bot/price/command';
import { reclaimApproveAction } from '../entry/bot/reclaim/actions/approve';
import { reclaimCancelAction } from '../entry/bot/reclaim/actions/cancel';
import { reclaimNudgeAnswerAction } from '../entry/bot/reclaim/actions/nudge-answer';
import { reclaimRejectAction } from '../entry/bot/reclaim/actions/reject';
import { reclaimRequestAction } from '../entry/bot/reclaim/actions/request';
import { reclaimUndoAction } from '../entry/bot/reclaim/actions/undo';
import { reclaimViewAction } from '../entry/bot/reclaim/actions/view';
import { reclaimCommand } from '../entry/bot/reclaim/command';
import { savingsCommand } from '../entry/bot/savings/command';
import { candidatesPageAction } from '../entry/bot/seats/actions/candidates-page';
import { inactivePageAction } from '../entry/bot/seats/actions/inactive-page';
import { candidatesCommand } from '../entry/bot/seats/candidates-command';
import { inactiveCommand } from '../entry/bot/seats/inactive-command';
import { securityCommand } from '../entry/bot/security/command';
import { showStatusAction } from '../entry/bot/status/actions/show-status';
import { statusCommand } from '../entry/bot/status/command';
import { syncNowAction } from '../entry/bot/sync/actions/sync-now';
import { syncCommand } from '../entry/bot/sync/command';
import { usageCommand } from '../entry/bot/usage/command';
import type { AuditSubscriptions } from '../usecases/audit/audit-subscriptions';
import type { ConversationTarget } from '../domain/conversation';
import { TenantStatusReader } from '../usecases/status/tenant-status';
import type { Analytics } from './wire-analytics';
import type { Core } from './wire-core';
import type { Digest } from './wire-digest';
import type { Jobs } from './wire-jobs';
import type { Reclaim } from './wire-reclaim';
import type { Sync } from './wire-sync';

/** The Teams bot: every command and card action, handed the use cases they drive. Returns what the HTTP server calls. */
export function wireBot(
  config: Pick<AppConfig, 'admins' | 'tenant' | 'reclaim' | 'analytics' | 'digest' | 'botAllowedTenants'>,
  parts: {
    core: Core;
    jobs: Jobs;
    sync: Sync;
    analytics: Analytics;
    reclaim: Reclaim;
    digest: Digest;
    auditSubscriptions: AuditSubscriptions;
    consent: MspConsent;
  },
  deps: { logger: Logger; cardSyncWaitMs?: number },
): ReturnType<typeof activityProcessor> {
  const { core, jobs, sync, analytics, digest, auditSubscriptions } = parts;
  const { reclaims, teamsUsers } = parts.reclaim;
  const { conversations, users } = core;
  const status = new TenantStatusReader(
    core.tenants,
    sync.directory,
    core.runs,
    sync.sync,
    jobs.outbox,
    sync.sourceStatus,
    (tenantId) => reclaims.freed(tenantId),
    (tenant) => sync.health(tenant),
  );
  // ADMINS: every tenant. The bot's handlers see only the sender's tenants (scopedTenants), so a
  // technician granted MSP clients is an admin of just those tenants.
  const globalAdmin = adminGate({
    admins: config.admins,
    demoOnly: config.tenant.kind === 'demo',
    upnOf: (id) => users.upnOf(id),
  });
  // The one admin check every command and card action that shows per-user data or changes settings uses.
  const isAdmin = (actor: Actor): AdminDecision => {
    const global = globalAdmin(actor);
    // The turn's access was worked out once (asActor); every handler runs inside it.
    return global.allowed || currentAccess().kind !== 'clients' ? global : { allowed: true };
  };
  const { report, check, identityReads, sourceStatus, usageQuery } = sync;
  const syncService = sync.sync;
  const analyticsReads = analytics.reads;
  const priceService = analytics.priceService;
  const tenants = scopedTenants(core.tenants);
  const seatLists = {
    tenants,
    analytics: analyticsReads,
    isAdmin,
    askHoldersFirst: config.reclaim.nudgeByDefault,
    reclaimMarks: (tenantId: string, seats: ReadonlyArray<{ userId: string; skuId: string }>, asOf: string) =>
      reclaims.marks(tenantId, seats, asOf),
    lists: {
      personalChatOf: (aadObjectId: string) => conversations.personalChatOf(aadObjectId)?.reference,
      approvalsConversation: (tenantId: string) => reclaims.approvalsConversation(tenantId),
      post: (target: ConversationTarget, cards: AdaptiveCardJson[], what: string) =>
        jobs.notifier.post(target, cards, what),
    },
  };
  const bot = createBotApp({
    adapter: jobs.adapter,
    conversations,
    logger: deps.logger,
    allowedTenants: config.botAllowedTenants,
    asActor: (actor, work) => inAccessScope(core.clientAccess.accessOf(actor), work),
    onActor: (actor) => {
      if (actor.aadObjectId && actor.id) teamsUsers.remember(actor.aadObjectId, actor.id);
    },
    commands: (commandList) => [
      helpCommand(commandList),
      statusCommand({ tenants, status }),
      syncCommand({ tenants, sync: syncService, report }),
      checkCommand({ tenants, check }),
      usageCommand({
        tenants,
        usage: usageQuery,
        analytics: analyticsReads,
        inactiveDays: config.analytics.settings.inactiveDays,
      }),
      securityCommand({ tenants, identity: identityReads, sourceStatus, isAdmin }),
      auditCommand({ tenants, subscriptions: auditSubscriptions, isAdmin }),
      digestCommand({
        tenants,
        digests: digest.service,
        subscriptions: digest.subscriptions,
        adminGate: isAdmin,
        subscribeGate: globalAdmin,
        defaultTime: config.digest.defaultTime,
        clock: core.clock,
      }),
      priceCommand({ tenants, prices: priceService, gate: isAdmin }),
      savingsCommand({ tenants, analytics: analyticsReads, prices: priceService, gate: isAdmin }),
      departmentsCommand({ tenants, departments: analytics.departments, gate: isAdmin }),
      inactiveCommand(seatLists),
      candidatesCommand(seatLists),
      reclaimCommand({ tenants, reclaims, isAdmin }),
      consentCommand({ tenants, consent: parts.consent, isAdmin }),
      portfolioCommand({
        tenants,
        portfolio: digest.portfolio,
        digests: digest.service,
        subscriptions: digest.subscriptions,
        subscribeGate: globalAdmin,
        defaultTime: config.digest.defaultTime,
      }),
    ],
    cardActions: [
      registerCardAction(
        syncNowAction({ tenants, status, sync: syncService, report, waitMs: deps.cardSyncWaitMs ?? 8000 }),
      ),
      registerCardAction(showStatusAction({ tenants, status })),
      registerCardAction(auditStopConfirmAction({ tenants, subscriptions: auditSubscriptions, isAdmin })),
      registerCardAction(inactivePageAction(seatLists)),
      registerCardAction(candidatesPageAction(seatLists)),
      registerCardAction(exportLinkAction({ tenants, links: analytics.exportLinks, isAdmin })),
      registerCardAction(reclaimRequestAction({ ...seatLists, reclaims })),
      registerCardAction(reclaimViewAction({ reclaims })),
      registerCardAction(reclaimApproveAction({ reclaims })),
      registerCardAction(reclaimCancelAction({ reclaims })),
      registerCardAction(reclaimRejectAction({ reclaims })),
      registerCardAction(reclaimUndoAction({ reclaims })),
      registerCardAction(reclaimNudgeAnswerAction({ reclaims })),
      registerCardAction(portfolioOpenAction({ tenants, digests: digest.service, isAdmin })),
    ],
  });
  return activityProcessor(jobs.adapter, bot);
}
