/** What a refused call needs: an application permission, a licence tier, or both. */
export interface AccessRequirement {
  /** Exact application permission name, e.g. "Reports.Read.All". */
  permission?: string;
  /** The licence tier the tenant must hold, e.g. "Microsoft Entra ID P1". */
  licence?: string;
}

/**
 * A failure reaching a tenant's directory (sign-in, permissions, throttling, network), phrased
 * for the admin who has to fix it: `message` says what happened and what to do; `code` is
 * stable for API clients. Adapters translate their own errors into it.
 */
export class TenantAccessError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    readonly detail?: string,
    /** Set for refusals: what the tenant or the app registration lacks. */
    readonly requirement?: AccessRequirement,
  ) {
    super(message);
    this.name = 'TenantAccessError';
  }
}

/** Codes that mean the admin must grant something (a permission or a licence), not wait. */
export const REFUSAL_CODES: ReadonlySet<string> = new Set([
  'insufficient_privileges',
  'licence_required',
  // The Management Activity API has no enabled subscription for the content type: an admin must start it.
  'management_subscription_missing',
  'management_subscription_disabled',
]);
