import { randomBytes } from 'node:crypto';
import { adminConsentUrl, CONSENT_CALLBACK_PATH, type ConsentRecord } from '../../domain/msp-consent';
import type { TenantRecord } from '../../domain/tenant';
import type { TenantReads } from '../status/ports';
import type { ConsentStore } from './ports';

export type ConsentErrorCode = 'msp_app_not_configured' | 'public_url_missing' | 'unknown_state' | 'already_answered';

/** 192 random bits: the link's only credential, so it cannot be guessed. */
const newNonce = (): string => randomBytes(24).toString('base64url');

export class MspConsentError extends Error {
  constructor(
    readonly code: ConsentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MspConsentError';
  }
}

export interface MspConsentDeps {
  /** MSP_APP_ID. */
  app: { appClientId: string } | undefined;
  /** The authority the tenant signs in at (its stored authority host): the consent page is there. */
  authorityOf: (tenant: TenantRecord) => string;
  /** PUBLIC_BASE_URL: where Entra sends the admin back (the app's redirect URI is this plus CONSENT_CALLBACK_PATH). */
  publicBaseUrl: string | undefined;
  store: ConsentStore;
  tenants: TenantReads;
  /** The first sync and permission check, once consented. */
  consented: (tenant: TenantRecord) => { syncJobId: number | null };
  now?: () => Date;
}

/**
 * The admin-consent round trip of the MSP's multi-tenant app for one customer tenant: the link (the
 * API's and the bot's), the single-use state it carries, and the callback recording the answer and,
 * on consent, starting the first sync.
 */
export class MspConsent {
  constructor(private readonly deps: MspConsentDeps) {}

  get configured(): boolean {
    return this.deps.app !== undefined;
  }

  status(tenant: Pick<TenantRecord, 'id'>): ConsentRecord | undefined {
    return this.deps.store.get(tenant.id);
  }

  /**
   * The consent link. Its state stays the same until Entra answers (so asking again, or the status
   * route, never breaks a link already sent to the customer); an answer spends it, and the next
   * link (after a refusal) carries a new one.
   */
  link(tenant: TenantRecord): { url: string; record: ConsentRecord } {
    const { app, publicBaseUrl } = this.deps;
    if (!app)
      throw new MspConsentError(
        'msp_app_not_configured',
        'No multi-tenant app is configured: set MSP_APP_ID and SECRET_MSP_APP_SECRET (or MSP_APP_CERTIFICATE_PATH) and restart.',
      );
    if (!publicBaseUrl)
      throw new MspConsentError(
        'public_url_missing',
        `Set PUBLIC_BASE_URL to the address browsers reach Seat Steward at, and register ${'<PUBLIC_BASE_URL>'}${CONSENT_CALLBACK_PATH} as a Web redirect URI of the multi-tenant app, so Entra can send the customer's admin back.`,
      );
    this.deps.store.request(tenant.id, newNonce(), this.now());
    const record = this.deps.store.get(tenant.id) as ConsentRecord;
    const url = adminConsentUrl({
      authorityHost: this.deps.authorityOf(tenant),
      entraTenantId: tenant.entraTenantId,
      appClientId: app.appClientId,
      redirectUri: `${publicBaseUrl}${CONSENT_CALLBACK_PATH}`,
      state: record.nonce,
    });
    return { url, record };
  }

  /**
   * Entra's redirect: `admin_consent=True` with the state, or `error` and `error_description`. The
   * state must be one this process handed out and not yet used; its tenant is the one recorded
   * with it, never one the query names.
   */
  answer(query: { state?: string; adminConsent?: string; error?: string; errorDescription?: string }): {
    tenant: TenantRecord;
    state: 'granted' | 'refused';
    syncJobId: number | null;
    error: string | null;
  } {
    const record = query.state ? this.deps.store.byNonce(query.state) : undefined;
    const tenant = record && this.deps.tenants.find(record.tenantId);
    if (!record || !tenant)
      throw new MspConsentError(
        'unknown_state',
        'This consent link is not one Seat Steward handed out, or it was already used, or its tenant was removed. Ask for a new link.',
      );
    if (record.state === 'granted')
      throw new MspConsentError(
        'already_answered',
        `Consent for ${tenant.tenantName} was already granted on ${record.answeredAt ?? 'an unknown date'}.`,
      );
    const granted = query.adminConsent?.toLowerCase() === 'true' && !query.error;
    const error = granted
      ? null
      : [query.error, query.errorDescription].filter(Boolean).join(': ').slice(0, 1000) || 'consent was not given';
    this.deps.store.answer(tenant.id, granted ? 'granted' : 'refused', error, newNonce(), this.now());
    const syncJobId = granted ? this.deps.consented(tenant).syncJobId : null;
    return { tenant, state: granted ? 'granted' : 'refused', syncJobId, error };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
