import crypto from 'node:crypto';
import { systemClock } from '../../domain/clock';
import type { TenantRecord } from '../../domain/tenant';
import { TenantAccessError } from '../../domain/tenant-access-error';
import { CONTENT_TYPES, type ContentType } from '../../domain/audit-content-types';
import type { ManagementActivityApi, SubscriptionState } from './ports';

/** The Management Activity API's data-gap warning, shown before a stop is confirmed and returned by the REST stop. */
export const STOP_DATA_GAP_WARNING =
  'When a subscription is stopped, you will no longer receive notifications and will not be able to retrieve available content. If the subscription is later restarted, you will have access to new content from that point forward, but content available between stopping and restarting will be lost.';

/** Who asked, as Teams identifies them. */
export interface Actor {
  /** Entra object id (activity.from.aadObjectId); absent outside Teams. */
  aadObjectId?: string;
  /** Teams user id (activity.from.id). */
  id: string;
  name?: string;
}

/** What a stop confirmation button carries; `signature` seals the rest. */
export interface StopConfirmationData {
  tenantId: string;
  contentType: string;
  requesterAadObjectId: string;
  requesterName: string;
  issuedAt: string;
  signature: string;
}

export type ConfirmOutcome =
  | { kind: 'stopped'; contentType: ContentType; subscriptions: SubscriptionState[] }
  | { kind: 'refused'; reason: 'not_requester' | 'tampered' | 'expired' | 'no_identity' | 'used'; message: string };

const CONFIRMATION_LIFETIME_MS = 15 * 60_000;

/**
 * Starting, stopping and listing the tenant's Management Activity API subscriptions. A stop
 * loses data (the Management API contract), so the bot asks for a confirmation that only the admin who asked can
 * give: the button's data names the requester and is sealed with a key of this process, and the
 * confirming invoke's own sender must be that requester.
 */
export class AuditSubscriptions {
  private readonly key: Buffer;
  /**
   * Signatures of confirmations already pressed (or being acted on), with when they were issued.
   * The key lives only as long as this process, so remembering them here is enough for "works once";
   * they are forgotten once past their lifetime, when the age check refuses them anyway.
   */
  private readonly spent = new Map<string, number>();

  constructor(
    private readonly apiFor: (tenant: TenantRecord) => ManagementActivityApi,
    options: { key?: Buffer; now?: () => Date } = {},
  ) {
    this.key = options.key ?? crypto.randomBytes(32);
    this.now = options.now ?? systemClock;
  }

  private readonly now: () => Date;

  /** Every content type with its state ('none' when never started). */
  async list(tenant: TenantRecord): Promise<SubscriptionState[]> {
    const found = await this.apiFor(tenant).listSubscriptions();
    return CONTENT_TYPES.map(
      (contentType) =>
        found.find((s) => s.contentType.toLowerCase() === contentType.toLowerCase()) ?? { contentType, status: 'none' },
    );
  }

  async start(tenant: TenantRecord, contentType: ContentType): Promise<SubscriptionState[]> {
    await this.apiFor(tenant).startSubscription(contentType);
    return this.list(tenant);
  }

  /** Stops at once: for callers that already confirmed (REST with confirm: true, or a checked card). */
  async stop(tenant: TenantRecord, contentType: ContentType): Promise<SubscriptionState[]> {
    await this.assertStoppable(tenant, contentType);
    await this.apiFor(tenant).stopSubscription(contentType);
    return this.list(tenant);
  }

  /**
   * Throws the 409 refusal when the subscription is already off. The Management API answers a stop
   * of a disabled subscription with success, so the state is read first: "stopped" must not be
   * claimed for what was already off (a missing one the API refuses itself, AF20022).
   */
  async assertStoppable(tenant: TenantRecord, contentType: ContentType): Promise<void> {
    const current = (await this.list(tenant)).find((s) => s.contentType.toLowerCase() === contentType.toLowerCase());
    if (current && current.status !== 'none' && current.status.toLowerCase() !== 'enabled') {
      throw new TenantAccessError(
        'management_subscription_disabled',
        `The ${contentType} subscription is already ${current.status}: there is nothing to stop. Start it with the bot command "audit start ${contentType}" (or POST /api/v1/m365/tenants/{id}/audit/subscriptions/start) if you want its content again.`,
        409,
      );
    }
  }

  /** The data the confirmation button carries, or undefined when the requester has no Entra identity to check against. */
  confirmation(tenant: TenantRecord, contentType: ContentType, requester: Actor): StopConfirmationData | undefined {
    if (!requester.aadObjectId) return undefined;
    const unsigned = {
      tenantId: tenant.id,
      contentType,
      requesterAadObjectId: requester.aadObjectId.toLowerCase(),
      requesterName: requester.name ?? '',
      issuedAt: this.now().toISOString(),
    };
    return { ...unsigned, signature: this.sign(unsigned) };
  }

  /** Checks who confirms and that the button's data is the one issued, then stops. */
  async confirmStop(tenant: TenantRecord, data: StopConfirmationData, invoker: Actor): Promise<ConfirmOutcome> {
    const { signature, ...unsigned } = data;
    const expected = Buffer.from(this.sign(unsigned));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
      return {
        kind: 'refused',
        reason: 'tampered',
        message:
          'This confirmation was not issued by Seat Steward as it stands (its data was changed, or Seat Steward restarted since). Nothing was stopped. Type **audit stop <content type>** for a new confirmation.',
      };
    }
    if (!invoker.aadObjectId) {
      return {
        kind: 'refused',
        reason: 'no_identity',
        message:
          'Teams did not say who pressed the button, so the confirmation cannot be checked. Nothing was stopped.',
      };
    }
    if (invoker.aadObjectId.toLowerCase() !== data.requesterAadObjectId) {
      return {
        kind: 'refused',
        reason: 'not_requester',
        message: `Only ${data.requesterName || 'the admin who asked'} can confirm this stop. Nothing was stopped. To stop it yourself, type **audit stop ${data.contentType}**.`,
      };
    }
    if (this.now().getTime() - Date.parse(data.issuedAt) > CONFIRMATION_LIFETIME_MS) {
      return {
        kind: 'refused',
        reason: 'expired',
        message: `This confirmation is older than ${CONFIRMATION_LIFETIME_MS / 60_000} minutes. Nothing was stopped. Type **audit stop ${data.contentType}** again.`,
      };
    }
    const contentType = CONTENT_TYPES.find((t) => t === data.contentType);
    if (!contentType || data.tenantId !== tenant.id) {
      return {
        kind: 'refused',
        reason: 'tampered',
        message: 'This confirmation names an unknown content type or another tenant. Nothing was stopped.',
      };
    }
    this.forgetExpired();
    // Claimed before the Management API call, so a second press while the first is under way is refused too.
    if (this.spent.has(signature)) {
      return {
        kind: 'refused',
        reason: 'used',
        message: `This confirmation was already used: a confirmation stops a subscription once. Nothing more was done. Type **audit subscriptions** to see where ${contentType} stands, or **audit stop ${contentType}** for a new confirmation.`,
      };
    }
    this.spent.set(signature, Date.parse(data.issuedAt));
    try {
      return { kind: 'stopped', contentType, subscriptions: await this.stop(tenant, contentType) };
    } catch (error) {
      // Nothing was stopped: the same button may be pressed again once the cause is fixed.
      this.spent.delete(signature);
      throw error;
    }
  }

  private forgetExpired(): void {
    const oldest = this.now().getTime() - CONFIRMATION_LIFETIME_MS;
    for (const [signature, issuedAt] of this.spent) if (!(issuedAt >= oldest)) this.spent.delete(signature);
  }

  private sign(unsigned: Omit<StopConfirmationData, 'signature'>): string {
    const text = [
      unsigned.tenantId,
      unsigned.contentType,
      unsigned.requesterAadObjectId,
      unsigned.requesterName,
      unsigned.issuedAt,
    ].join('\n');
    return crypto.createHmac('sha256', this.key).update(text).digest('base64url');
  }
}

/** Throws the admin message when `contentType` has no enabled subscription. */
export function requireEnabled(subscriptions: readonly SubscriptionState[], contentType: ContentType): void {
  const found = subscriptions.find((s) => s.contentType.toLowerCase() === contentType.toLowerCase());
  if (found?.status.toLowerCase() === 'enabled') return;
  throw found
    ? new TenantAccessError(
        'management_subscription_disabled',
        `The Management Activity API subscription to ${contentType} is ${found.status}. Start it with the bot command "audit start ${contentType}" (or POST /api/v1/m365/tenants/{id}/audit/subscriptions/start); content from the time it was off cannot be recovered.`,
      )
    : new TenantAccessError(
        'management_subscription_missing',
        `There is no Management Activity API subscription to ${contentType} (AF20022). Start one with the bot command "audit start ${contentType}" (or POST /api/v1/m365/tenants/{id}/audit/subscriptions/start); content becomes available from then on.`,
      );
}
