import { freedByReclaimsText } from '../domain/seat-savings';
import {
  CARD_LIST_LIMITS,
  type CardColor,
  type SourceLine,
  type SyncResultView,
  type SyncStartedView,
  type TenantStatusView,
} from './view-models';
import { READ_REQUIREMENTS } from '../domain/access-requirements';
import { SOURCE_IDS, ageInDays, isStale, type SourceStatusRecord } from '../domain/activity-sources';
import { seatsOf, sumSeats } from '../domain/seats';
import type { SyncRunRecord } from '../domain/sync-run';
import { HOUR_MS, SYNC_BACKOFF_CAP_MS, type SyncHealth } from '../domain/sync-schedule';
import type { TenantRecord } from '../domain/tenant';
import type { TenantStatus } from '../domain/tenant-status';
import { agoText, durationText } from './time-text';
import { dayText, utcText } from '../domain/time-text';

/** The status read, and the moment the card is drawn at (its ages are counted from it). */
export type TenantStatusInput = TenantStatus & { now: Date };

const OUTCOME: Record<SyncRunRecord['status'], { text: string; color: CardColor }> = {
  success: { text: 'Succeeded', color: 'Good' },
  partial: { text: 'Partly succeeded', color: 'Warning' },
  failed: { text: 'Failed', color: 'Attention' },
  running: { text: 'Running', color: 'Accent' },
};

export function tenantStatusView(input: TenantStatusInput): TenantStatusView {
  const { tenant, counts, skus, lastRun, now } = input;
  const copilot = skus.filter((s) => s.isCopilot);
  const others = skus
    .filter((s) => !s.isCopilot)
    .sort((a, b) => b.consumedUnits - a.consumedUnits || a.productName.localeCompare(b.productName));
  const copilotTotals = sumSeats(copilot);
  const shown = others.slice(0, CARD_LIST_LIMITS.otherSkus);
  const hidden = others.slice(CARD_LIST_LIMITS.otherSkus);
  const hiddenAssigned = hidden.reduce((n, s) => n + s.consumedUnits, 0);

  const breakdown = [
    `${counts.enabled} enabled`,
    `${counts.disabled} disabled`,
    `${counts.guests} ${counts.guests === 1 ? 'guest' : 'guests'}`,
  ];
  const outcome = lastRun ? OUTCOME[lastRun.status] : { text: '', color: 'Default' as CardColor };
  const lastSyncAt = lastRun?.finishedAt ?? lastRun?.startedAt;
  const runError =
    lastRun?.status === 'failed'
      ? (lastRun.errorText ?? '')
      : lastRun?.status === 'partial'
        ? lastRun.warnings.join('\n')
        : '';
  const storage = input.storageFull;

  return {
    tenantId: tenant.id,
    tenantName: tenant.tenantName,
    domainName: tenant.domainName ?? `Tenant ID ${tenant.entraTenantId}`,
    synced: tenant.currentSnapshotId !== null,
    totalUsers: counts.total,
    licensedUsers: counts.licensed,
    userBreakdownText: breakdown.join(' · '),
    hasCopilot: copilot.length > 0,
    copilotPurchased: copilotTotals.purchased,
    copilotAssigned: copilotTotals.assigned,
    copilotAvailable: copilotTotals.available,
    copilotSkus: copilot
      .slice(0, CARD_LIST_LIMITS.copilotSkus)
      .map((s) => ({ productName: s.productName, skuPartNumber: s.skuPartNumber, ...seatsOf(s) })),
    otherSkus: shown.map((s) => ({
      productName: s.productName,
      usageText: `${s.consumedUnits} / ${s.enabledUnits} assigned`,
    })),
    otherSkusMoreText:
      hidden.length === 0
        ? ''
        : `and ${hidden.length} more ${hidden.length === 1 ? 'SKU' : 'SKUs'} (${hiddenAssigned} seats assigned)`,
    lastSyncText: lastSyncAt ? `${utcText(lastSyncAt)} (${agoText(lastSyncAt, now)})` : 'No sync has run yet',
    lastSyncOutcomeText: outcome.text,
    lastSyncOutcomeColor: outcome.color,
    lastSyncErrorText:
      storage === undefined || runError === storage
        ? runError
        : [storage, runError].filter((t) => t !== '').join('\n\n'),
    syncRunning: input.syncRunning,
    failedWorkText:
      input.deadJobs === 0
        ? ''
        : `${input.deadJobs} background ${input.deadJobs === 1 ? 'task' : 'tasks'} (such as a result post) could not be delivered and ${input.deadJobs === 1 ? 'was' : 'were'} set aside. See GET /api/v1/m365/jobs?status=dead for why, and retry there.`,
    ...scheduleLine(input.health),
    sources: sourceLines(input.sources, now),
    reclaimText: input.freed && input.freed.seats > 0 ? freedByReclaimsText(input.freed) : '',
  };
}

/** The next scheduled sync and, while syncs keep failing, how many in a row and that retries back off. */
function scheduleLine(health: SyncHealth | undefined): { syncScheduleText: string; syncScheduleColor: CardColor } {
  if (!health) return { syncScheduleText: '', syncScheduleColor: 'Default' };
  if (health.state === 'disabled')
    return { syncScheduleText: 'Scheduled syncs are switched off for this tenant.', syncScheduleColor: 'Default' };
  const every = health.schedule.kind === 'interval' ? `every ${health.schedule.hours} h` : 'SYNC_CRON';
  const next = health.nextSync ? `Next scheduled sync ${utcText(health.nextSync)} (${every})` : '';
  const n = health.consecutiveFailures;
  const failures =
    n === 0
      ? ''
      : health.schedule.kind === 'interval'
        ? `${n} failed ${n === 1 ? 'sync' : 'syncs in a row'}: retried less often after each (at most ${SYNC_BACKOFF_CAP_MS / HOUR_MS} h apart) until one succeeds`
        : `${n} failed ${n === 1 ? 'sync' : 'syncs in a row'}`;
  return {
    syncScheduleText: [next, failures].filter((t) => t !== '').join(' · '),
    syncScheduleColor: n > 0 ? 'Attention' : 'Default',
  };
}

/** A report's date (YYYY-MM-DD) reads as a day; an instant as a UTC time. */
function asOfText(asOf: string, now: Date): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
    const days = ageInDays(`${asOf}T00:00:00Z`, now);
    return `${dayText(asOf)} (${days === 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`})`;
  }
  return `${utcText(asOf)} (${agoText(asOf, now)})`;
}

/**
 * One line per source, in the order of SOURCE_IDS: the data's own date when it is current, and when
 * it is not, whether older data is still served (stale, with its age) and what to do.
 */
export function sourceLines(records: readonly SourceStatusRecord[], now: Date): SourceLine[] {
  const order = new Map<string, number>(SOURCE_IDS.map((id, i) => [id, i]));
  return [...records]
    .sort((a, b) => (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0))
    .map((r): SourceLine => {
      const label = READ_REQUIREMENTS[r.source].label;
      const dated = r.asOf
        ? `as of ${asOfText(r.asOf, now)}`
        : r.lastSuccessAt
          ? `read ${asOfText(r.lastSuccessAt, now)}`
          : '';
      const notes = r.warnings.length > 0 ? ` ${r.warnings.join(' ')}` : '';
      if (r.lastOutcome === 'ok' || r.lastOutcome === 'not_newer') {
        return { label, text: `${dated}${notes}`.trim(), color: r.warnings.length > 0 ? 'Warning' : 'Default' };
      }
      const reason = r.message ?? 'The last read failed.';
      if (isStale(r)) return { label, text: `Stale, last good data ${dated}. ${reason}`, color: 'Warning' };
      return {
        label,
        text: `${r.lastOutcome === 'refused' ? 'Not available' : 'Not read yet'}. ${reason}`,
        color: 'Attention',
      };
    });
}

export function syncStartedView(tenant: TenantRecord, run: SyncRunRecord, joinedRunning: boolean): SyncStartedView {
  return {
    tenantId: tenant.id,
    tenantName: tenant.tenantName,
    startedText: `Started ${utcText(run.startedAt)}`,
    joinedRunning,
  };
}

export function syncResultView(tenant: TenantRecord, run: SyncRunRecord): SyncResultView {
  const finishedAt = run.finishedAt ?? run.startedAt;
  const titles: Record<SyncRunRecord['status'], string> = {
    success: 'Sync succeeded',
    partial: 'Sync partly succeeded',
    failed: 'Sync failed',
    running: 'Sync running',
  };
  return {
    tenantId: tenant.id,
    tenantName: tenant.tenantName,
    titleText: titles[run.status],
    outcomeColor: OUTCOME[run.status].color,
    succeeded: run.status === 'success' || run.status === 'partial',
    finishedText: utcText(finishedAt),
    durationText: durationText(run.startedAt, finishedAt),
    usersSynced: run.counts?.users ?? 0,
    licensedUsers: run.counts?.licensedUsers ?? 0,
    skusSynced: run.counts?.skus ?? 0,
    groupsSynced: run.counts?.groups ?? 0,
    errorText: run.status === 'failed' ? (run.errorText ?? 'The sync failed without a reason.') : '',
    warnings: run.warnings.slice(0, 10),
  };
}
