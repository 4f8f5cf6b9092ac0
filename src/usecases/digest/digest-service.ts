import { systemClock, type Clock } from '../../domain/clock';
import { z } from 'zod';
import type { AdaptiveCardJson } from '../../domain/conversation';
import { DIGEST_LIST_ROWS, showsMonthlySection, type DigestContent, type DigestSecurity } from '../../domain/digest';
import { previousMonth } from '../../domain/seat-cohorts';
import { dueDay } from '../../domain/digest-time';
import { savingsOf, type SkuPrice } from '../../domain/seat-savings';
import type { DepartmentReport } from '../../domain/departments';
import type { TenantRecord } from '../../domain/tenant';
import type { AnalyticsReads, ExportLinks } from '../analytics/ports';
import { ConversationGoneError, type Notifier } from '../notify/ports';
import { type ConversationTarget } from '../../domain/conversation';
import { NotReadyError, PermanentError } from '../outbox/job-errors';
import type { JobQueue } from '../outbox/job-runner';
import { defineJobType, type JobContext, type JobRegistry } from '../outbox/job-type';
import type { SyncRunReads, TenantReads } from '../status/ports';
import type { UsageReads } from '../usage/ports';
import type { PortfolioQuery } from '../portfolio/portfolio-query';
import type { SeatCohortReport } from '../cohorts/seat-cohorts-query';
import type { DigestCards, DigestSubscriptionStore } from './ports';

const conversationTarget = z
  .object({ serviceUrl: z.string().url(), conversation: z.object({ id: z.string().min(1) }).passthrough() })
  .passthrough();

/**
 * One tenant's digest card into one conversation. Keyed `digest:<conversation>:<tenant>:<local day>`
 * when scheduled, so two ticks, a restart or a catch-up land on the same job.
 */
export const postDigestJob = defineJobType(
  'digest.post',
  z.object({
    conversationId: z.string().min(1),
    tenantId: z.string().min(1),
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    trigger: z.enum(['schedule', 'now']),
    target: conversationTarget,
  }),
  // Retry-After decides the waits; 10 attempts outlast a long throttling spell before anything is dead-lettered.
  // 12 at once keep the notifier's 40 posts/s busy at Teams' usual 100-300 ms a post, and leave slots for other kinds.
  { maxAttempts: 10, timeoutMs: 2 * 60_000, concurrency: 12 },
);

/** The daily status message contract's daily refresh message after a scheduled sync, one per run and conversation. */
export const postDigestStatusJob = defineJobType(
  'digest.status',
  z.object({ conversationId: z.string().min(1), runId: z.number().int().positive(), target: conversationTarget }),
  { maxAttempts: 10, timeoutMs: 2 * 60_000, concurrency: 12 },
);

/**
 * The portfolio card of a `portfolio subscribe` conversation, keyed `portfolio:<conversation>:<local day>`.
 * It does not wait for running syncs (with hundreds of tenants one is nearly always running): each
 * row is dated by its own analytics.
 */
export const postPortfolioJob = defineJobType(
  'digest.portfolio',
  z.object({
    conversationId: z.string().min(1),
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    trigger: z.enum(['schedule', 'now']),
    target: conversationTarget,
  }),
  { maxAttempts: 10, timeoutMs: 2 * 60_000, concurrency: 4 },
);

/** How long a digest waits for a sync before looking again when it cannot wait on the sync itself. */
const SYNC_RECHECK_MS = 60_000;

export function digestKey(conversationId: string, tenantId: string, day: string): string {
  return `digest:${conversationId}:${tenantId}:${day}`;
}

export interface DigestDeps {
  subscriptions: DigestSubscriptionStore;
  /** What "now" is for posting and recording deliveries (tests step it across days). Default: the system's. */
  clock?: Clock;
  /** The department chargeback (without its trend), for the departments with most idle cost. */
  departments?: (tenantId: string) => DepartmentReport | undefined;
  /** The tenant's seat cohorts of the last `months` months (newest first), for the monthly section. */
  cohorts?: (tenantId: string, months: number) => SeatCohortReport | undefined;
  /** Seats freed by reclaims to date, for the savings section. */
  freed?: (tenantId: string) => { seats: number; monthly: number; currency: string | null };
  tenants: TenantReads;
  runs: Pick<SyncRunReads, 'get' | 'latestFinished'>;
  analytics: AnalyticsReads;
  usage: Pick<UsageReads, 'copilotTrend'>;
  /** The tenant's price of a SKU (admin, config, list price; null = unpriced). */
  priceFor: (tenantId: string) => (skuId: string) => SkuPrice | null;
  /**
   * The security part (the rubric's score and top recommendations).
   */
  security: (tenantId: string, now: Date) => DigestSecurity;
  /** Signed CSV links (i7-exports); undefined while not wired, and the button is left out. */
  exports: ExportLinks | undefined;
  /**
   * A sync of the tenant is running or queued: the digest waits for it ("after that morning's sync").
   * `until` settles when this process finishes it.
   */
  syncInProgress: (tenantId: string) => { until?: Promise<unknown> } | undefined;
  notifier: Notifier;
  /** Draws the cards (src/cards/digest-cards.ts). */
  cards: DigestCards;
  queue: JobQueue;
  dashboardUrl: string | undefined;
  /** The portfolio a `portfolio subscribe` conversation gets instead of a card per tenant. */
  portfolio: Pick<PortfolioQuery, 'content'>;
}

/**
 * The daily digest: which conversations get it when, the cards, and their delivery as outbox jobs.
 * Exactly once per subscription, tenant and local day: the idempotency key makes the queueing
 * idempotent and the outbox records the post. The one window left is a crash during the HTTP post
 * itself (Teams took the card, the process died before recording it): that one card is sent again.
 */
export class DigestService {
  constructor(private readonly deps: DigestDeps) {}

  register(registry: JobRegistry): JobRegistry {
    return registry
      .on(postDigestJob, (payload, ctx) => this.deliver(payload, ctx))
      .on(postDigestStatusJob, (payload) => this.deliverStatus(payload))
      .on(postPortfolioJob, (payload) => this.deliverPortfolio(payload));
  }

  /**
   * The scheduler's tick: queues today's digests of every active subscription whose local time has
   * come and whose day is not queued yet. Called each minute and at start (which catches up a
   * morning the app was down for). Returns the jobs created.
   */
  enqueueDue(now: Date): number {
    let created = 0;
    const tenants = this.deps.tenants.list();
    for (const sub of this.deps.subscriptions.listActive()) {
      const day = dueDay(sub, now);
      if (!day) continue;
      if (sub.layout === 'portfolio') {
        const job = this.deps.queue.enqueue(
          postPortfolioJob,
          { conversationId: sub.conversationId, day, trigger: 'schedule', target: sub.target },
          { key: `portfolio:${sub.conversationId}:${day}` },
        );
        if (job.created) created++;
      }
      for (const tenant of sub.layout === 'portfolio' ? [] : tenants) {
        const job = this.deps.queue.enqueue(
          postDigestJob,
          { conversationId: sub.conversationId, tenantId: tenant.id, day, trigger: 'schedule', target: sub.target },
          { key: digestKey(sub.conversationId, tenant.id, day), tenantId: tenant.id },
        );
        if (job.created) created++;
      }
      // After the jobs: a crash in between queues the same keys again, which creates nothing.
      this.deps.subscriptions.markQueued(sub.conversationId, day, now);
    }
    return created;
  }

  /** `digest now`: the digest of each tenant given (those the sender may see) into this conversation, through the outbox like the scheduled one. */
  postNow(target: ConversationTarget, requestId: string, day: string, tenants: readonly TenantRecord[]): number {
    let created = 0;
    for (const tenant of tenants) {
      const job = this.deps.queue.enqueue(
        postDigestJob,
        { conversationId: target.conversation.id, tenantId: tenant.id, day, trigger: 'now', target },
        { key: `digest-now:${target.conversation.id}:${tenant.id}:${requestId}`, tenantId: tenant.id },
      );
      if (job.created) created++;
    }
    return created;
  }

  /** `portfolio now`: the portfolio card into this conversation, through the outbox like the scheduled one. */
  postPortfolioNow(target: ConversationTarget, requestId: string, day: string): boolean {
    return this.deps.queue.enqueue(
      postPortfolioJob,
      { conversationId: target.conversation.id, day, trigger: 'now', target },
      { key: `portfolio-now:${target.conversation.id}:${requestId}` },
    ).created;
  }

  /** After a scheduled sync: its status message to every active subscription. */
  queueStatusMessages(run: { id: number; tenantId: string }): number {
    let created = 0;
    for (const sub of this.deps.subscriptions.listActive()) {
      // A portfolio conversation follows hundreds of tenants: its card carries each one's sync health instead.
      if (sub.layout === 'portfolio') continue;
      const job = this.deps.queue.enqueue(
        postDigestStatusJob,
        { conversationId: sub.conversationId, runId: run.id, target: sub.target },
        { key: `sync-status:${sub.conversationId}:${run.id}`, tenantId: run.tenantId },
      );
      if (job.created) created++;
    }
    return created;
  }

  /**
   * What the digest of one tenant holds, as it would be posted now. `monthly`: the first digest of
   * a month, which adds last month's seat cohorts.
   */
  content(tenant: TenantRecord, day: string, now: Date, options: { monthly?: boolean } = {}): DigestContent {
    const { analytics } = this.deps;
    const stored = analytics.summary(tenant.id);
    const inactive = analytics.seats(tenant.id, {
      recommendation: 'reclaim',
      offset: 0,
      limit: DIGEST_LIST_ROWS.inactive,
    });
    const candidates = analytics.candidates(tenant.id, { offset: 0, limit: DIGEST_LIST_ROWS.candidates });
    return {
      tenantId: tenant.id,
      tenantName: tenant.tenantName,
      day,
      analytics: stored ? { summary: stored.summary, asOf: stored.summary.computedAt } : undefined,
      savings: stored ? savingsOf(stored.summary, this.deps.priceFor(tenant.id)) : undefined,
      inactive: inactive ? { total: inactive.total, rows: inactive.rows } : undefined,
      candidates: candidates ? { total: candidates.total, rows: candidates.rows } : undefined,
      trend: this.deps.usage.copilotTrend(tenant.id),
      security: this.deps.security(tenant.id, now),
      lastSync: this.deps.runs.latestFinished(tenant.id),
      exportsWired: this.deps.exports !== undefined,
      freed: this.deps.freed?.(tenant.id),
      departments: this.departmentsOf(tenant.id),
      cohorts: options.monthly ? this.lastMonthOf(tenant.id, day) : undefined,
    };
  }

  /** The month before the digest's (local) day, when the history has captured days in it. */
  private lastMonthOf(tenantId: string, day: string): DigestContent['cohorts'] {
    const month = previousMonth(day.slice(0, 7));
    // Three months: the digest's local day may be a month ahead of or behind UTC's at a month's edge.
    const found = this.deps.cohorts?.(tenantId, 3)?.months.find((m) => m.month === month);
    return found && found.capturedDays > 0 ? found : undefined;
  }

  /** Only departments with idle seats are named: the section is about money to recover. */
  private departmentsOf(tenantId: string): DigestContent['departments'] {
    const report = this.deps.departments?.(tenantId);
    if (!report) return undefined;
    const withIdle = report.departments.filter((d) => d.idle > 0);
    return {
      top: withIdle.slice(0, DIGEST_LIST_ROWS.departments),
      withIdle: withIdle.length,
      idleMonthlyCost: report.totals.idleMonthlyCost,
      currency: report.currency,
    };
  }

  /** The digest card of one tenant, as it would be posted now. */
  card(tenant: TenantRecord, day: string, now: Date, options: { monthly?: boolean } = {}): AdaptiveCardJson {
    return this.deps.cards.digest(this.content(tenant, day, now, options), now);
  }

  private async deliver(payload: z.output<typeof postDigestJob.payload>, ctx: JobContext): Promise<void> {
    const { conversationId, tenantId, day, trigger } = payload;
    const sub = this.deps.subscriptions.get(conversationId);
    if (trigger === 'schedule') {
      if (!sub) {
        ctx.logger.info(
          { conversation: conversationId },
          'digest not posted: the conversation unsubscribed after it was queued',
        );
        return;
      }
      if (sub.status === 'paused') {
        throw new PermanentError(
          `The digest subscription of conversation ${conversationId} is paused (${sub.pausedReason ?? 'no reason recorded'}), so the ${day} digest was not posted. Type **digest subscribe** there to resume.`,
        );
      }
    }
    const tenant = this.deps.tenants.find(tenantId);
    if (!tenant)
      throw new PermanentError(
        `Tenant ${tenantId} is no longer registered in Seat Steward, so its ${day} digest was not posted.`,
      );
    const syncing = this.deps.syncInProgress(tenant.id);
    if (syncing)
      throw new NotReadyError(`A sync of ${tenant.tenantName} is running or queued; the digest waits for it.`, {
        retryAfterMs: SYNC_RECHECK_MS,
        until: syncing.until,
      });
    const now = (this.deps.clock ?? systemClock)();
    await this.post(
      conversationId,
      payload.target as ConversationTarget,
      this.card(tenant, day, now, { monthly: showsMonthlySection(sub?.lastDeliveredDay, day) }),
      `daily digest of ${tenant.tenantName}`,
      sub !== undefined,
    );
    if (sub)
      this.deps.subscriptions.recordDelivery(
        conversationId,
        trigger === 'schedule' ? day : null,
        (this.deps.clock ?? systemClock)(),
      );
  }

  private async deliverStatus(payload: z.output<typeof postDigestStatusJob.payload>): Promise<void> {
    const { conversationId, runId } = payload;
    const run = this.deps.runs.get(runId);
    if (!run) throw new PermanentError(`Sync run ${runId} no longer exists, so its status message cannot be posted.`);
    if (run.status === 'running')
      throw new NotReadyError(`Sync run ${runId} is still running.`, { retryAfterMs: SYNC_RECHECK_MS });
    const sub = this.deps.subscriptions.get(conversationId);
    if (!sub) return;
    if (sub.status === 'paused')
      throw new PermanentError(
        `The digest subscription of conversation ${conversationId} is paused (${sub.pausedReason ?? 'no reason recorded'}), so the status of sync run ${runId} was not posted.`,
      );
    const tenant = this.deps.tenants.find(run.tenantId);
    const card = this.deps.cards.status(
      {
        tenantName: tenant?.tenantName ?? run.tenantId,
        run: { ...run, status: run.status },
        summary: this.deps.analytics.summary(run.tenantId)?.summary,
        dashboardUrl: this.deps.dashboardUrl,
      },
      (this.deps.clock ?? systemClock)(),
    );
    await this.post(
      conversationId,
      payload.target as ConversationTarget,
      card,
      `daily refresh status of ${tenant?.tenantName ?? run.tenantId}`,
      true,
    );
  }

  private async deliverPortfolio(payload: z.output<typeof postPortfolioJob.payload>): Promise<void> {
    const { conversationId, day, trigger } = payload;
    const sub = this.deps.subscriptions.get(conversationId);
    if (trigger === 'schedule') {
      // Unsubscribed, or switched back to a card per tenant, after it was queued: nothing to post.
      if (!sub || sub.layout !== 'portfolio') return;
      if (sub.status === 'paused')
        throw new PermanentError(
          `The portfolio subscription of conversation ${conversationId} is paused (${sub.pausedReason ?? 'no reason recorded'}), so the ${day} portfolio was not posted. Type **portfolio subscribe** there to resume.`,
        );
    }
    const now = (this.deps.clock ?? systemClock)();
    await this.post(
      conversationId,
      payload.target as ConversationTarget,
      this.deps.cards.portfolio(this.deps.portfolio.content({}, now), now),
      'portfolio digest',
      sub !== undefined,
    );
    if (sub)
      this.deps.subscriptions.recordDelivery(
        conversationId,
        trigger === 'schedule' ? day : null,
        (this.deps.clock ?? systemClock)(),
      );
  }

  /** Posts; a chat Teams calls gone pauses the subscription with the reason, and the job is dead-lettered for the admin to see. */
  private async post(
    conversationId: string,
    target: ConversationTarget,
    card: AdaptiveCardJson,
    what: string,
    subscribed: boolean,
  ): Promise<void> {
    try {
      await this.deps.notifier.post(target, [card], what);
    } catch (error) {
      if (error instanceof ConversationGoneError && subscribed)
        this.deps.subscriptions.pause(conversationId, error.message, (this.deps.clock ?? systemClock)());
      throw error;
    }
  }
}
