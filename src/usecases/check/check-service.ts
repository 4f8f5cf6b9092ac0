import {
  READ_REQUIREMENTS,
  type CheckedReadId,
  type CheckItem,
  type CheckReport,
} from '../../domain/access-requirements';
import { systemClock } from '../../domain/clock';
import type { TenantRecord } from '../../domain/tenant';
import { TenantAccessError } from '../../domain/tenant-access-error';

/** The smallest call that proves one read works (a page of one, a report of a week...). */
export interface AccessProbe {
  id: CheckedReadId;
  run(): Promise<void>;
}

/** Codes that mean the endpoint or the authority could not be reached at all. */
const UNREACHABLE = new Set(['network_error', 'graph_throttled', 'probe_timeout', 'graph_resource_not_found']);
/** Codes of a failed sign-in (wrong secret, unknown app or tenant): every read would fail the same way. */
const SIGN_IN_FAILURES =
  /^(invalid_client_secret|expired_client_secret|app_not_found|tenant_not_found|aadsts_\d+|certificate_.*|graph_unauthorized)$/;

export interface CheckDeps {
  probesFor(tenant: TenantRecord): AccessProbe[];
  /** Per probe; a slower answer counts as unreachable. */
  timeoutMs?: number;
  now?: () => Date;
}

/**
 * The setup guide's permission check and the Management API's connectivity check ("ping"): tries every read the sync makes and says,
 * per read, OK or exactly what is missing (permission, licence tier, reachability).
 */
export class CheckService {
  constructor(private readonly deps: CheckDeps) {}

  async check(tenant: TenantRecord): Promise<CheckReport> {
    const probes = this.deps.probesFor(tenant);
    const checkedAt = (this.deps.now ?? systemClock)().toISOString();
    const first = probes[0];
    const base = { tenantId: tenant.id, tenantName: tenant.tenantName, checkedAt };
    if (!first) return { ...base, signIn: { ok: true }, items: [] };

    // The first probe also fetches the token: if sign-in fails, the other reads are not worth trying.
    const firstItem = await this.attempt(first);
    if (firstItem.errorCode !== null && SIGN_IN_FAILURES.test(firstItem.errorCode)) {
      return {
        ...base,
        signIn: { ok: false, code: firstItem.errorCode, message: firstItem.message ?? '' },
        items: probes.map((p) => ({
          ...itemBase(p.id),
          status: 'not_checked',
          message: 'Not checked: the app could not sign in to the tenant.',
          errorCode: null,
        })),
      };
    }
    const rest = await Promise.all(probes.slice(1).map((p) => this.attempt(p)));
    return { ...base, signIn: { ok: true }, items: [firstItem, ...rest] };
  }

  private async attempt(probe: AccessProbe): Promise<CheckItem> {
    const timeoutMs = this.deps.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TenantAccessError(
              'probe_timeout',
              `No answer within ${Math.round(timeoutMs / 1000)} s: the endpoint is unreachable or overloaded. Check that this server can reach it (proxy, firewall, DNS) and try again.`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([probe.run(), timeout]);
      return { ...itemBase(probe.id), status: 'ok', message: null, errorCode: null };
    } catch (error) {
      return classify(probe.id, error);
    } finally {
      clearTimeout(timer);
    }
  }
}

function itemBase(id: CheckedReadId): Omit<CheckItem, 'status' | 'message' | 'errorCode'> {
  const r = READ_REQUIREMENTS[id];
  return { id, label: r.label, permission: r.permission, api: r.api, licence: r.licence, unlocks: r.unlocks };
}

function classify(id: CheckedReadId, error: unknown): CheckItem {
  const base = itemBase(id);
  if (!(error instanceof TenantAccessError)) {
    return {
      ...base,
      status: 'error',
      errorCode: 'internal_error',
      message: `Seat Steward failed while checking: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (error.code === 'insufficient_privileges') {
    const permission = error.requirement?.permission ?? base.permission;
    return {
      ...base,
      permission,
      status: 'missing_permission',
      errorCode: error.code,
      message: `Missing ${base.api} application permission ${permission}. In Entra admin center > App registrations > your app > API permissions, add it as an Application permission, then click Grant admin consent (an admin must consent). ${error.message}`,
    };
  }
  if (error.code === 'licence_required') {
    const licence = error.requirement?.licence ?? base.licence ?? 'a higher licence tier';
    return {
      ...base,
      licence,
      status: 'missing_licence',
      errorCode: error.code,
      message: `The tenant lacks ${licence}. ${error.message}`,
    };
  }
  if (UNREACHABLE.has(error.code))
    return { ...base, status: 'unreachable', errorCode: error.code, message: error.message };
  return { ...base, status: 'error', errorCode: error.code, message: error.message };
}
