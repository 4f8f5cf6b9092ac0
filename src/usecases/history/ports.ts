/** What recording one day of a tenant's history did. */
export interface HistoryDayOutcome {
  /** The UTC day recorded. */
  day: string;
  /** False when a later day is already recorded (a clock set back): the past is never rewritten. */
  recorded: boolean;
  /** True when an earlier sync had recorded this day: its values were replaced by this sync's. */
  replacedDay: boolean;
  /** Users of the snapshot. */
  users: number;
  /** Value intervals opened (a user new, back, or with values other than the day before). */
  opened: number;
  /** Open intervals closed (values changed, or the user is missing from the snapshot). */
  closed: number;
}

/** What pruning the history before a cutoff removed, over every tenant. */
export interface HistoryPruneOutcome {
  intervalsDeleted: number;
  intervalsTrimmed: number;
  daysDeleted: number;
}

/**
 * The daily history tables (migration 25: history_user_keys, history_days, user_history), as the
 * recording writes them. Runs where the snapshot's rows are written (the snapshot writer thread).
 */
export interface UserHistoryStore {
  /**
   * Records the state of every user of `snapshotId` (the tenant's just-published snapshot, with its
   * seat analytics) as the values of `day`, in one transaction: new users get keys, unchanged users
   * cost nothing, changed users get a new interval, missing users have theirs closed. A second
   * call for the same day first undoes what the earlier one did to the day, so the last sync of a day
   * stands for it.
   */
  recordDay(request: { tenantId: string; snapshotId: number; day: string; capturedAt: string }): HistoryDayOutcome;
  /** Forgets every tenant's history before `firstDay`: whole intervals ending before it, the part of those spanning it, and the days. */
  prune(firstDay: string): HistoryPruneOutcome;
}

/** A sync's day recorded: the day, the prune after the first sync of a day, and the months of seat cohorts worked out. */
export type RecordedDay = HistoryDayOutcome & { pruned: HistoryPruneOutcome | null; cohortMonths: number };

/** Records a sync's day of history (asynchronous: it runs on the snapshot writer thread). */
export interface HistoryRecorder {
  record(request: { tenantId: string; snapshotId: number; at: Date; historyDays: number }): Promise<RecordedDay>;
}
