/**
 * Plain view-model objects the card templates in cards/ are bound to.
 * Everything here is already formatted for display: templates only lay it out,
 * so the decisions (what counts as available, how a date reads) stay testable in TypeScript.
 */

/**
 * Longest lists a card shows. Teams rejects messages of 28 KB or more (the bot sends one card a message), so producers should cap
 * lists at these lengths; the renderer still cuts anything longer and says "+N more".
 */
export const CARD_LIST_LIMITS = {
  copilotSkus: 5,
  otherSkus: 5,
  warnings: 10,
  sources: 12,
} as const;

/** What a card built on the seat analytics says before the first sync has worked them out. */
export const NO_ANALYTICS_YET = 'No seat analytics yet: they are worked out by a sync. Run **sync**, then ask again.';

/** Teams rejects a message whose card JSON reaches 28 KB. */
export const TEAMS_CARD_MAX_BYTES = 28 * 1024;

/** Adaptive Card text colours a template may use for an outcome. */
export type CardColor = 'Default' | 'Good' | 'Warning' | 'Attention' | 'Accent';

export interface CommandHelp {
  /** What the admin types, e.g. "status". */
  command: string;
  description: string;
}

export interface WelcomeView {
  /** e.g. "Seat Steward" */
  botName: string;
  /** One line on what the bot does. */
  tagline: string;
  /** Where the bot was installed: "personal chat", "group chat" or "team channel". */
  installedIn: string;
  /** Hint on how to address the bot here, e.g. "Mention @Seat Steward, then type a command." (empty in personal chat) */
  mentionHint: string;
  commands: CommandHelp[];
}

export interface HelpView {
  botName: string;
  mentionHint: string;
  commands: CommandHelp[];
}

export interface CopilotSkuLine {
  productName: string;
  skuPartNumber: string;
  purchased: number;
  assigned: number;
  available: number;
}

export interface OtherSkuLine {
  productName: string;
  /** e.g. "142 / 150 assigned" */
  usageText: string;
}

export interface TenantStatusView {
  /** Seat Steward's own tenant id: the Sync now button sends it back. */
  tenantId: string;
  tenantName: string;
  domainName: string;
  /** False until the first successful sync: the card then offers Sync now instead of zeros. */
  synced: boolean;
  totalUsers: number;
  licensedUsers: number;
  /** e.g. "231 enabled · 19 disabled · 12 guests" */
  userBreakdownText: string;
  hasCopilot: boolean;
  /** Summed over the tenant's Copilot SKUs; the large number on the card is copilotAvailable. */
  copilotPurchased: number;
  copilotAssigned: number;
  copilotAvailable: number;
  /** At most CARD_LIST_LIMITS.copilotSkus (5). */
  copilotSkus: CopilotSkuLine[];
  /** The largest non-Copilot SKUs by consumed units (at most CARD_LIST_LIMITS.otherSkus, 5). */
  otherSkus: OtherSkuLine[];
  /** e.g. "and 4 more SKUs (37 seats assigned)"; empty when otherSkus lists them all. */
  otherSkusMoreText: string;
  /** e.g. "22 Nov 2026 15:02 UTC (5 min ago)" or "No sync has run yet". */
  lastSyncText: string;
  /** "Succeeded", "Partly succeeded", "Failed", "Running", or empty before the first sync. */
  lastSyncOutcomeText: string;
  lastSyncOutcomeColor: CardColor;
  /** The reason of the last failed or partial sync, with what to do; empty otherwise. */
  lastSyncErrorText: string;
  /** Licence reclaims to date, said as seats freed (still paid until the subscription is reduced); empty when none. */
  reclaimText: string;
  /** True while a sync of this tenant is running: the card says so instead of offering the button. */
  syncRunning: boolean;
  /** Work for this tenant the outbox gave up on (dead-lettered), with where to retry it; empty when none. */
  failedWorkText: string;
  /** e.g. "Next scheduled sync 2 Mar 2026 16:31 UTC (every 6 h) · 3 failed syncs in a row, retried less often (at most every 24 h)"; empty when unknown. */
  syncScheduleText: string;
  /** Attention while the tenant's syncs keep failing, else Default. */
  syncScheduleColor: CardColor;
  /** Each activity source read so far: its data's date, or why it is missing or stale. */
  sources: SourceLine[];
}

export interface SourceLine {
  label: string;
  /** e.g. "as of 21 Nov 2026 (2 days ago)", or "Stale: last read 20 Nov 2026 … Missing permission …" */
  text: string;
  color: CardColor;
}

export interface StatusView {
  /** One tenant per card. */
  tenant: TenantStatusView;
}

export interface SyncStartedView {
  tenantId: string;
  tenantName: string;
  /** e.g. "Started 15:02 UTC" */
  startedText: string;
  /** True when this request joined a sync that was already running. */
  joinedRunning: boolean;
}

export interface SyncResultView {
  tenantId: string;
  tenantName: string;
  /** "Sync succeeded", "Sync partly succeeded", "Sync failed" */
  titleText: string;
  outcomeColor: CardColor;
  succeeded: boolean;
  /** e.g. "22 Nov 2026 15:02 UTC" */
  finishedText: string;
  /** e.g. "4.2 s" */
  durationText: string;
  usersSynced: number;
  licensedUsers: number;
  skusSynced: number;
  groupsSynced: number;
  /** Admin-facing reason and what to do; empty on success. */
  errorText: string;
  /** Warnings of a partial sync, one per line (at most CARD_LIST_LIMITS.warnings, 10); empty otherwise. */
  warnings: string[];
}

export interface ErrorView {
  title: string;
  message: string;
}
