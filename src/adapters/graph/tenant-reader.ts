import type { Client } from '@microsoft/microsoft-graph-client';
import type { AccessRequirement } from '../../domain/tenant-access-error';
import { explainTenantError, type TenantContext } from './graph-errors';
import type { GraphGroup, GraphOrganization, GraphPage, GraphSubscribedSku, GraphUser } from './graph-types';

export const USER_SELECT = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'userPrincipalName',
  'department',
  'officeLocation',
  'jobTitle',
  'accountEnabled',
  'userType',
  'usageLocation',
  'createdDateTime',
  'assignedLicenses',
  'licenseAssignmentStates',
  'onPremisesSyncEnabled',
] as const;

/** Graph's largest page for /users. */
export const USER_PAGE_SIZE = 999;

/**
 * Reads one tenant through the Graph client. Every failure comes out as a
 * TenantAccessError saying what the admin should do.
 */
export class TenantReader {
  constructor(
    private readonly client: Client,
    private readonly ctx: TenantContext,
  ) {}

  /**
   * Streams every user, page by page, following @odata.nextLink until it is absent (never
   * $skip; pages may be shorter than $top). The next page is requested before the current
   * one is handed over, so the network and the caller's work overlap.
   */
  async forEachUserPage(
    onPage: (users: GraphUser[]) => void | Promise<void>,
  ): Promise<{ pages: number; users: number }> {
    const first = `/users?$select=${USER_SELECT.join(',')}&$top=${USER_PAGE_SIZE}`;
    let pages = 0;
    let users = 0;
    let pending: Promise<GraphPage<GraphUser>> | undefined = this.get<GraphUser>(first, `reading users (page 1)`);
    while (pending) {
      const page: GraphPage<GraphUser> = await pending;
      pages += 1;
      const next: string | undefined = page['@odata.nextLink'];
      pending = next ? this.get<GraphUser>(next, `reading users (page ${pages + 1})`) : undefined;
      // If onPage throws, the prefetched request must not become an unhandled rejection.
      pending?.catch(() => undefined);
      users += page.value.length;
      await onPage(page.value);
    }
    return { pages, users };
  }

  async subscribedSkus(): Promise<GraphSubscribedSku[]> {
    return this.all<GraphSubscribedSku>('/subscribedSkus', 'reading subscribed SKUs');
  }

  /** Groups that carry licenses (group-based licensing). Needs Group.Read.All or Directory.Read.All. */
  async licenseGroups(): Promise<GraphGroup[]> {
    return this.all<GraphGroup>(
      '/groups?$filter=assignedLicenses/$count ne 0&$count=true&$select=id,displayName,assignedLicenses&$top=999',
      'reading license-assigning groups',
      { ConsistencyLevel: 'eventual' },
    );
  }

  async organization(): Promise<GraphOrganization | undefined> {
    const orgs = await this.all<GraphOrganization>(
      '/organization?$select=id,displayName,tenantType,verifiedDomains',
      'reading the organization',
    );
    return orgs[0];
  }

  /** One small GET whose only purpose is to prove the call is allowed (the `check` command). */
  async probe(path: string, doing: string, need: AccessRequirement, headers?: Record<string, string>): Promise<void> {
    await this.get<unknown>(path, doing, headers, need);
  }

  private async all<T>(path: string, doing: string, headers?: Record<string, string>): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const page: GraphPage<T> = await this.get<T>(next, doing, headers);
      out.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return out;
  }

  private async get<T>(
    pathOrUrl: string,
    doing: string,
    headers?: Record<string, string>,
    need?: AccessRequirement,
  ): Promise<GraphPage<T>> {
    try {
      let request = this.client.api(pathOrUrl);
      if (headers) request = request.headers(headers);
      return (await request.get()) as GraphPage<T>;
    } catch (error) {
      throw explainTenantError(error, this.ctx, doing, need);
    }
  }
}
