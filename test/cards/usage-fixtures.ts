import type { ServiceUsage } from '../../src/domain/usage';
import type { CopilotTrendAnswer, UsageAnswer } from '../../src/domain/usage';

export function usageFigures(): ServiceUsage {
  return {
    period: '30d',
    reportRefreshDate: '2026-11-21',
    summary: { total_active_users: 135, total_inactive_users: 7, activity_rate: 95.1 },
    services: {
      exchange: { active_users: 142, emails_sent: 15420, emails_received: 28730, mailbox_usage_gb: 2450.5 },
      sharepoint: { active_users: 98, files_created: null, files_shared: 340, storage_used_gb: 1200.2 },
      teams: { active_users: 125, meetings_held: 450, messages_sent: 8920, calls_made: 230 },
      onedrive: { active_users: 140, files_synced: 5600, storage_used_gb: 850.7 },
    },
    trends: {
      daily_active_users: Array.from({ length: 30 }, (_, i) => ({
        date: `2026-10-${String(i + 1).padStart(2, '0')}`,
        count: 120 + i,
      })),
    },
  };
}

/** `figures: null` = nothing stored. */
export function usageAnswer(
  overrides: Partial<UsageAnswer['provenance']> = {},
  figures: ServiceUsage | null = usageFigures(),
): UsageAnswer {
  return {
    figures: figures ?? undefined,
    provenance: {
      status: 'ok',
      asOf: '2026-11-21',
      readAt: '2026-11-23T08:00:00.000Z',
      stale: false,
      ageDays: 2,
      problem: null,
      ...overrides,
    },
  };
}

/** A 30-day Copilot trend; `null` = never read (with `problem` when refused). */
export function copilotAnswer(
  overrides: Partial<CopilotTrendAnswer['provenance']> = {},
  stored = true,
): CopilotTrendAnswer {
  const apps = ['teams', 'word', 'excel', 'powerPoint', 'outlook', 'oneNote', 'loop', 'copilotChat'];
  const counts = (active: number) =>
    Object.fromEntries([
      ['any', { enabled: 60, active }],
      ...apps.map((a, i) => [a, { enabled: 60, active: Math.max(0, active - 4 * i) }]),
    ]);
  const days = Array.from({ length: 30 }, (_, i) => ({
    reportDate: `2026-10-${String(i + 1).padStart(2, '0')}`,
    reportRefreshDate: '2026-11-21',
    counts: counts(20 + (i % 7)),
  }));
  return {
    trend: stored ? { period: 'D30', days, summary: counts(41) } : undefined,
    provenance: {
      status: 'ok',
      asOf: '2026-11-21',
      readAt: '2026-11-23T08:00:00.000Z',
      stale: false,
      ageDays: 2,
      problem: null,
      ...overrides,
    },
  };
}
