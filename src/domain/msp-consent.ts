/**
 * Admin consent of the MSP's multi-tenant app in a customer tenant. A global admin of the customer
 * opens the link, grants the app's application permissions, and Entra sends them back to
 * Seat Steward's callback with the outcome (Microsoft identity platform "admin consent" endpoint).
 */
export type ConsentState = 'pending' | 'granted' | 'refused';

export interface ConsentRecord {
  tenantId: string;
  state: ConsentState;
  /** The link's single-use `state` parameter: unguessable, so the callback needs no other credential. */
  nonce: string;
  requestedAt: string;
  answeredAt: string | null;
  /** Entra's error and description when refused. */
  error: string | null;
}

/** The callback Entra returns to: PUBLIC_BASE_URL + this path (registered as a redirect URI of the app). */
export const CONSENT_CALLBACK_PATH = '/consent/callback';

export function adminConsentUrl(input: {
  authorityHost: string;
  entraTenantId: string;
  appClientId: string;
  redirectUri: string;
  state: string;
}): string {
  const url = new URL(`/${encodeURIComponent(input.entraTenantId)}/adminconsent`, input.authorityHost);
  url.searchParams.set('client_id', input.appClientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('state', input.state);
  return url.toString();
}
