import type { TenantRecord } from '../../../domain/tenant';
import type { StatusService } from '../../../usecases/status/status-service';
import { clipText } from '../text';

/** The tenants a command's argument names, or the hint to answer with when it names none. */
export function tenantsNamed(status: StatusService, argument: string): { tenants: TenantRecord[] } | { hint: string } {
  const matched = status.matchTenants(argument);
  if (matched.length > 0) return { tenants: matched };
  const names = status.list().map((t) => t.tenantName);
  return {
    hint:
      names.length === 0
        ? 'No tenant is connected yet. See the README section "Connect a real tenant".'
        : `No tenant matches "${clipText(argument, 60)}". Connected tenants: ${names.join(', ')}.`,
  };
}
