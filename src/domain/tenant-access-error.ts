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
  ) {
    super(message);
    this.name = 'TenantAccessError';
  }
}
