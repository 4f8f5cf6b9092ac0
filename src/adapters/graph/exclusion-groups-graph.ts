import type { Client } from '@microsoft/microsoft-graph-client';
import { READ_REQUIREMENTS } from '../../domain/access-requirements';
import type { ExclusionGroupGraph } from '../../usecases/analytics/exclusion-groups-source';
import { explainTenantError, type TenantContext } from './graph-errors';
import type { GraphPage } from './graph-types';

/** Graph's largest page of directory objects. */
const MEMBERS_PAGE_SIZE = 999;

/** Members of exclusion groups: transitive (nested groups count), users only. */
export class GraphExclusionGroups implements ExclusionGroupGraph {
  constructor(
    private readonly client: Client,
    private readonly ctx: TenantContext,
  ) {}

  async userMembers(groupId: string): Promise<{ userIds: string[]; requests: number }> {
    const need = { permission: READ_REQUIREMENTS.exclusion_groups.permission };
    const userIds: string[] = [];
    let next: string | undefined =
      `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=id&$top=${MEMBERS_PAGE_SIZE}`;
    let requests = 0;
    while (next) {
      let page: GraphPage<{ id: string }>;
      try {
        page = (await this.client.api(next).get()) as GraphPage<{ id: string }>;
      } catch (error) {
        throw explainTenantError(
          error,
          this.ctx,
          `reading the members of exclusion group ${groupId} (page ${requests + 1})`,
          need,
        );
      }
      requests++;
      for (const m of page.value) userIds.push(m.id.toLowerCase());
      next = page['@odata.nextLink'];
    }
    return { userIds, requests };
  }
}
