import { CONCEALMENT_FIX } from '../../domain/usage';
import type { ActivitySource, SourceRunContext, SourceRunResult } from '../sync/ports';
import type { ReportSourceDeps } from './report-reading';

/**
 * The tenant's report name concealment (/admin/reportSettings, ReportSettings.Read.All). When on,
 * the usage reports show opaque ids that match nobody: the warning says how to turn it off.
 */
export class ReportSettingsSource implements ActivitySource {
  readonly id = 'report_settings' as const;
  readonly syncTypes = [] as const;

  constructor(
    private readonly deps: Pick<ReportSourceDeps, 'concealment' | 'graph'>,
    private readonly unconceal: boolean,
  ) {}

  async run(ctx: SourceRunContext): Promise<SourceRunResult> {
    const concealed = await this.deps.concealment.initial();
    const error = this.deps.concealment.readError;
    if (concealed === null && error) throw error;
    // Give the report reads time to finish first, so problems restoring the setting reach this run's warnings.
    const warnings: string[] = [];
    if (concealed && !this.unconceal) {
      warnings.push(
        `Report name concealment is on: usage reports show opaque ids instead of user names, so their rows match no user and are kept as unmatched (never counted as inactive). To fix: ${CONCEALMENT_FIX}, or set REPORTS_UNCONCEAL=true (needs ReportSettings.ReadWrite.All).`,
      );
    }
    return {
      outcome: 'ok',
      asOf: ctx.now.toISOString().slice(0, 10),
      servedBy: 'v1.0 /admin/reportSettings',
      requests: 1,
      warnings,
    };
  }

  async probe(): Promise<void> {
    await this.deps.graph.reportSettings();
  }
}
