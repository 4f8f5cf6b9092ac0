import { TenantAccessError } from '../../domain/tenant-access-error';
import type { ConcealmentMarkers, UsageReportGraph } from './ports';

export interface ConcealmentLog {
  warn(details: Record<string, unknown>, message: string): void;
}

/**
 * The tenant's report name concealment for one sync, shared by the report sources that run side
 * by side. The setting is read once, before anyone changes it. With REPORTS_UNCONCEAL it is turned
 * off while any report is being read and back on when the last one is done, whatever happened;
 * a marker stored before the change tells the next start to restore it if the process dies first.
 */
export class ReportConcealment {
  private setting: Promise<boolean | null> | undefined;
  private settingError: TenantAccessError | undefined;
  private holders = 0;
  private turningOff: Promise<boolean> | undefined;
  /** Set from the moment the last reader leaves until concealment is back on. */
  private restoring: Promise<void> | undefined;
  readonly problems: string[] = [];

  constructor(
    private readonly graph: UsageReportGraph,
    private readonly markers: ConcealmentMarkers,
    private readonly tenantId: string,
    private readonly unconceal: boolean,
    private readonly log: ConcealmentLog,
  ) {}

  /** Whether names were concealed when the sync began; null when the setting could not be read. */
  initial(): Promise<boolean | null> {
    this.setting ??= (async () => {
      // A previous run could not put the setting back: do it before reading what "initial" is.
      if (this.markers.has(this.tenantId)) await this.restore();
      try {
        return (await this.graph.reportSettings()).displayConcealedNames;
      } catch (error) {
        this.settingError =
          error instanceof TenantAccessError ? error : new TenantAccessError('unexpected_error', String(error));
        return null;
      }
    })();
    return this.setting;
  }

  /** Problems turning concealment off or back on, each handed out once (to the source that hit them). */
  takeProblems(): string[] {
    return this.problems.splice(0, this.problems.length);
  }

  get readError(): TenantAccessError | undefined {
    return this.settingError;
  }

  /** Runs a report read with names shown when the admin opted in; reports whether they were. */
  async during<T>(read: () => Promise<T>): Promise<{ result: T; unconcealed: boolean }> {
    const concealed = await this.initial();
    if (!this.unconceal || concealed !== true) return { result: await read(), unconcealed: false };
    // A read arriving while the last one's restore is in flight waits for it and starts a new
    // cycle: joining the old one, it would read while names are concealed again, and the restore
    // would clear the marker of a concealment it had just turned off.
    while (this.restoring) await this.restoring;
    this.holders++;
    try {
      this.turningOff ??= this.turnOff();
      const unconcealed = await this.turningOff;
      return { result: await read(), unconcealed };
    } finally {
      this.holders--;
      if (this.holders === 0) {
        // Both set before the first await, so no reader can slip in between.
        const cycle = this.turningOff;
        this.turningOff = undefined;
        const restoring = (async () => {
          if (await cycle) await this.restore();
        })().finally(() => {
          if (this.restoring === restoring) this.restoring = undefined;
        });
        this.restoring = restoring;
        await restoring;
      }
    }
  }

  private async turnOff(): Promise<boolean> {
    // Stored first: if the process dies after the PATCH, the next start still knows to restore.
    this.markers.set(this.tenantId, new Date().toISOString());
    try {
      await this.graph.setDisplayConcealedNames(false);
      return true;
    } catch (error) {
      this.markers.clear(this.tenantId);
      const message = error instanceof Error ? error.message : String(error);
      this.problems.push(
        `REPORTS_UNCONCEAL is set but report name concealment could not be turned off, so reports were read with concealed names: ${message}`,
      );
      return false;
    }
  }

  /** Turns concealment back on and forgets the marker; on failure the marker stays for the next sync or start. */
  async restore(): Promise<boolean> {
    try {
      await this.graph.setDisplayConcealedNames(true);
      this.markers.clear(this.tenantId);
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn(
        { tenantId: this.tenantId, err: message },
        'could not restore report name concealment; will retry at the next sync and start',
      );
      this.problems.push(
        `Report name concealment could not be turned back on (${message}). Seat Steward retries at the next sync and start; until then the tenant's reports show user names.`,
      );
      return false;
    }
  }
}

/**
 * At start-up: tenants whose concealment a killed process left off get it back on.
 * Never throws: a tenant that cannot be reached now is retried at its next sync.
 */
export async function restoreConcealmentAfterCrash(deps: {
  markers: ConcealmentMarkers;
  graphFor: (tenantId: string) => UsageReportGraph;
  log: ConcealmentLog & { info(details: Record<string, unknown>, message: string): void };
}): Promise<number> {
  let restored = 0;
  for (const tenantId of deps.markers.tenants()) {
    try {
      const c = new ReportConcealment(deps.graphFor(tenantId), deps.markers, tenantId, true, deps.log);
      if (await c.restore()) {
        restored++;
        deps.log.info({ tenantId }, 'report name concealment restored (a previous run was stopped while it was off)');
      }
    } catch (error) {
      deps.log.warn(
        { tenantId, err: error instanceof Error ? error.message : String(error) },
        'could not restore report name concealment at start',
      );
    }
  }
  return restored;
}
