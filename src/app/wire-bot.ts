import type { Logger } from 'pino';
import type { AdaptiveCardJson } from '../cards/render';
import type { AppConfig } from '../config/config';
import { adminGate } from '../entry/bot/admin-gate';
import { activityProcessor, createBotApp } from '../entry/bot/bot-app';
import { registerCardAction } from '../entry/bot/bot-types';
import { auditStopConfirmAction } from '../entry/bot/card-actions/audit-stop-confirm';
import { candidatesPageAction } from '../entry/bot/card-actions/candidates-page';
import { exportLinkAction } from '../entry/bot/card-actions/export-link';
import { inactivePageAction } from '../entry/bot/card-actions/inactive-page';
import { reclaimApproveAction, reclaimCancelAction, reclaimRejectAction } from '../entry/bot/card-actions/reclaim-decide';
import { reclaimNudgeAnswerAction } from '../entry/bot/card-actions/reclaim-nudge-answer';
import { reclaimRequestAction } from '../entry/bot/card-actions/reclaim-request';
import { reclaimUndoAction } from '../entry/bot/card-actions/reclaim-undo';
import { reclaimViewAction } from '../entry/bot/card-actions/reclaim-view';
import { tenantStatusAction } from '../entry/bot/card-actions/tenant-status';
import { tenantSyncAction } from '../entry/bot/card-actions/tenant-sync';
import { auditCommand } from '../entry/bot/commands/audit';
import { candidatesCommand } from '../entry/bot/commands/candidates';
import { checkCommand } from '../entry/bot/commands/check';
import { digestCommand } from '../entry/bot/commands/digest';
import { helpCommand } from '../entry/bot/commands/help';
import { inactiveCommand } from '../entry/bot/commands/inactive';
import { priceCommand } from '../entry/bot/commands/price';
import { reclaimCommand } from '../entry/bot/commands/reclaim';
import { savingsCommand } from '../entry/bot/commands/savings';
import { securityCommand } from '../entry/bot/commands/security';
import { statusCommand } from '../entry/bot/commands/status';
import { syncCommand } from '../entry/bot/commands/sync';
import { usageCommand } from '../entry/bot/commands/usage';
import type { AuditSubscriptions } from '../usecases/audit/audit-subscriptions';
import type { ConversationTarget } from '../usecases/notify/ports';
import { StatusService } from '../usecases/status/status-service';
import type { Analytics } from './wire-analytics';
import type { Core } from './wire-core';
import type { Digest } from './wire-digest';
import type { Jobs } from './wire-jobs';
import type { Reclaim } from './wire-reclaim';
import type { Sync } from './wire-sync';

/** The Teams bot: every command and card action, handed the use cases they drive. Returns what the HTTP server calls. */
export function wireBot(
  config: Pick<AppConfig, 'admins' | 'tenant' | 'reclaim' | 'analytics' | 'digest' | 'botAllowedTenants'>,
  parts: { core: Core; jobs: Jobs; sync: Sync; analytics: Analytics; reclaim: Reclaim; digest: Digest; auditSubscriptions: AuditSubscriptions },
  deps: { logger: Logger; cardSyncWaitMs?: number },
): ReturnType<typeof activityProcessor> {
  const { core, jobs, sync, analytics, digest, auditSubscriptions } = parts;
  const { reclaims, teamsUsers } = parts.reclaim;
  const { conversations, users } = core;
  const status = new StatusService(core.tenants, sync.directory, core.runs, sync.sync, jobs.outbox, sync.sourceStatus, (tenantId) => reclaims.freed(tenantId));
  // The one admin check every command and card action that shows per-user data or changes settings uses.
  const isAdmin = adminGate({ admins: config.admins, demoOnly: config.tenant.kind === 'demo', upnOf: (id) => users.upnOf(id) });
  const { report, check, identityReads, sourceStatus, usageQuery } = sync;
  const syncService = sync.sync;
  const analyticsReads = analytics.reads;
  const priceService = analytics.priceService;
  const seatLists = {
    status,
    analytics: analyticsReads,
    isAdmin,
    askHoldersFirst: config.reclaim.nudgeByDefault,
    reclaimMarks: (tenantId: string, seats: ReadonlyArray<{ userId: string; skuId: string }>, asOf: string) => reclaims.marks(tenantId, seats, asOf),
    lists: {
      personalChatOf: (aadObjectId: string) => conversations.personalChatOf(aadObjectId)?.reference,
      approvalsConversation: (tenantId: string) => reclaims.approvalsConversation(tenantId),
      post: (target: ConversationTarget, cards: AdaptiveCardJson[], what: string) => jobs.notifier.post(target, cards, what),
    },
  };
  const bot = createBotApp({
    adapter: jobs.adapter,
    conversations,
    logger: deps.logger,
    allowedTenants: config.botAllowedTenants,
    onActor: (actor) => {
      if (actor.aadObjectId && actor.id) teamsUsers.remember(actor.aadObjectId, actor.id);
    },
    commands: (commandList) => [
      helpCommand(commandList),
      statusCommand(status),
      syncCommand({ status, sync: syncService, report }),
      checkCommand({ status, check }),
      usageCommand({ status, usage: usageQuery, analytics: analyticsReads, inactiveDays: config.analytics.settings.inactiveDays }),
      securityCommand({ status, identity: identityReads, sourceStatus, isAdmin }),
      auditCommand({ status, subscriptions: auditSubscriptions, isAdmin }),
      digestCommand({ digests: digest.service, subscriptions: digest.subscriptions, adminGate: isAdmin, defaultTime: config.digest.defaultTime }),
      priceCommand({ status, prices: priceService, gate: isAdmin }),
      savingsCommand({ status, analytics: analyticsReads, prices: priceService, gate: isAdmin }),
      inactiveCommand(seatLists),
      candidatesCommand(seatLists),
      reclaimCommand({ status, reclaims, isAdmin }),
    ],
    cardActions: [
      registerCardAction(tenantSyncAction({ status, sync: syncService, report, waitMs: deps.cardSyncWaitMs ?? 8000 })),
      registerCardAction(tenantStatusAction(status)),
      registerCardAction(auditStopConfirmAction({ status, subscriptions: auditSubscriptions, isAdmin })),
      registerCardAction(inactivePageAction(seatLists)),
      registerCardAction(candidatesPageAction(seatLists)),
      registerCardAction(exportLinkAction({ status, links: analytics.exportLinks, isAdmin })),
      registerCardAction(reclaimRequestAction({ ...seatLists, reclaims })),
      registerCardAction(reclaimViewAction({ reclaims })),
      registerCardAction(reclaimApproveAction({ reclaims })),
      registerCardAction(reclaimCancelAction({ reclaims })),
      registerCardAction(reclaimRejectAction({ reclaims })),
      registerCardAction(reclaimUndoAction({ reclaims })),
      registerCardAction(reclaimNudgeAnswerAction({ reclaims })),
    ],
  });
  return activityProcessor(jobs.adapter, bot);
}
