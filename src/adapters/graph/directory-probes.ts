import { READ_REQUIREMENTS } from '../../domain/access-requirements';
import type { AccessProbe } from '../../usecases/check/check-service';
import type { TenantReader } from './tenant-reader';

/** The directory reads of a sync, each as the smallest Graph call that proves it is allowed. */
export function directoryProbes(reader: TenantReader): AccessProbe[] {
  const need = (id: keyof typeof READ_REQUIREMENTS) => ({ permission: READ_REQUIREMENTS[id].permission });
  return [
    // First: it also fetches the token, so a sign-in failure shows here.
    {
      id: 'users',
      run: () => reader.probe('/users?$select=id,assignedLicenses&$top=1', 'reading users', need('users')),
    },
    {
      id: 'subscribed_skus',
      run: () => reader.probe('/subscribedSkus?$select=skuId', 'reading subscribed SKUs', need('subscribed_skus')),
    },
    {
      id: 'license_groups',
      run: () =>
        reader.probe(
          '/groups?$filter=assignedLicenses/$count ne 0&$count=true&$select=id&$top=1',
          'reading license-assigning groups',
          need('license_groups'),
          {
            ConsistencyLevel: 'eventual',
          },
        ),
    },
    {
      id: 'organization',
      run: () => reader.probe('/organization?$select=id', 'reading the organization', need('organization')),
    },
  ];
}
