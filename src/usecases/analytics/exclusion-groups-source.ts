import type { SourceId, SyncType } from '../../domain/activity-sources';
import { TenantAccessError } from '../../domain/tenant-access-error';
import type { ActivitySource, SourceRunContext, SourceRunResult } from '../sync/ports';

/** Transitive user members of a group, from Graph. Failures are thrown as TenantAccessError. */
export interface ExclusionGroupGraph {
  userMembers(groupId: string): Promise<{ userIds: string[]; requests: number }>;
}

export interface ExclusionGroupStore {
  /** Replaces the stored members of one group, all or nothing. */
  replaceMembers(tenantId: string, groupId: string, userIds: readonly string[], at: Date): void;
}

/**
 * The members of the EXCLUDE_GROUPS groups (executives, people on leave...), read at sync so the
 * seat decisions can keep them out of reclaim; in the MSP's own tenant also the groups access
 * grants name (`group:<id>`). Each group is replaced only when its read succeeds: a failed group
 * keeps its last members and the sync says so.
 */
export class ExclusionGroupsSource implements ActivitySource {
  readonly id: SourceId = 'exclusion_groups';
  readonly syncTypes: readonly SyncType[] = ['groups'];

  constructor(
    private readonly deps: {
      tenantId: string;
      groupIds: readonly string[];
      graph: ExclusionGroupGraph;
      store: ExclusionGroupStore;
    },
  ) {}

  async run(ctx: SourceRunContext): Promise<SourceRunResult> {
    const { tenantId, groupIds, graph, store } = this.deps;
    const failures: TenantAccessError[] = [];
    let requests = 0;
    for (const groupId of groupIds) {
      try {
        const read = await graph.userMembers(groupId);
        requests += read.requests;
        store.replaceMembers(tenantId, groupId, read.userIds, ctx.now);
      } catch (error) {
        if (!(error instanceof TenantAccessError)) throw error;
        failures.push(error);
      }
    }
    // Every group refused: the source failed as a whole (recorded with its reason, last members kept).
    const first = failures[0];
    if (first && failures.length === groupIds.length) throw first;
    return {
      outcome: 'ok',
      asOf: ctx.now.toISOString(),
      servedBy: '/v1.0/groups/{id}/transitiveMembers/microsoft.graph.user',
      requests,
      warnings: failures.map(
        (f) =>
          `Group members (EXCLUDE_GROUPS, or a group:<id> access grant): ${f.message} The members read last time are kept.`,
      ),
    };
  }

  async probe(): Promise<void> {
    const first = this.deps.groupIds[0];
    if (first) await this.deps.graph.userMembers(first);
  }
}
