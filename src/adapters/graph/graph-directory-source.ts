import type { LicenseGroupRow, SkuRow, UserLicenseRow, UserRow } from '../../domain/directory';
import type { CopilotSkuMatcher } from '../../domain/copilot-skus';
import type { TenantIdentity } from '../../domain/tenant';
import type { DirectorySource } from '../../usecases/sync/ports';
import { tenantIdentity, toGroupRows, toSkuRows, toUserRows } from './directory-mapping';
import type { TenantReader } from './tenant-reader';

/** A tenant's directory as Microsoft Graph serves it, mapped to the domain's rows. */
export class GraphDirectorySource implements DirectorySource {
  constructor(
    private readonly reader: TenantReader,
    private readonly isCopilot: CopilotSkuMatcher,
    /** Used when the organization has no display name. */
    private readonly fallbackName: string,
  ) {}

  async organization(): Promise<TenantIdentity | undefined> {
    const org = await this.reader.organization();
    return org ? tenantIdentity(org, this.fallbackName) : undefined;
  }

  async subscribedSkus(): Promise<SkuRow[]> {
    return toSkuRows(await this.reader.subscribedSkus(), this.isCopilot);
  }

  async licenseGroups(): Promise<LicenseGroupRow[]> {
    return toGroupRows(await this.reader.licenseGroups());
  }

  async forEachUserPage(
    onPage: (page: { users: UserRow[]; licenses: UserLicenseRow[] }) => Promise<void>,
  ): Promise<void> {
    await this.reader.forEachUserPage((users) => onPage(toUserRows(users)));
  }
}
