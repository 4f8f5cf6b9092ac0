import type { TokenCredential } from '@azure/identity';
import { GRAPH_REQUEST_TIMEOUT_MS } from './request-timeout';
import { READ_REQUIREMENTS } from '../../domain/access-requirements';
import { systemClock, type Clock } from '../../domain/clock';
import { retryAfterMs } from '../../domain/retry-after';
import { TenantAccessError } from '../../domain/tenant-access-error';
import type {
  ContentBlob,
  CopilotInteractionRecord,
  ManagementActivityApi,
  SubscriptionState,
} from '../../usecases/audit/ports';
import type { ContentType } from '../../domain/audit-content-types';
import { createCredential, type TenantConnection } from './graph-client';
import { explainTenantError } from './graph-errors';

/** The Management Activity API's own resource per cloud: its tokens are not Graph's. */
const RESOURCE_BY_HOST: Record<string, string> = {
  'manage.office.com': 'https://manage.office.com',
  'manage-gcc.office.com': 'https://manage-gcc.office.com',
  'manage.office365.us': 'https://manage.office365.us',
  'manage.protection.apps.mil': 'https://manage.protection.apps.mil',
};

/**
 * The token audience for an endpoint: Microsoft's clouds name their own; any other endpoint (the
 * demo tenant, a test double, a proxy) stands in for the commercial API and is asked for its token.
 */
export function managementResource(endpoint: string): string {
  return RESOURCE_BY_HOST[new URL(endpoint).hostname.toLowerCase()] ?? 'https://manage.office.com';
}

const PERMISSION = READ_REQUIREMENTS.audit_management.permission;
const MAX_ATTEMPTS = 4;
const COPILOT_RECORD_TYPE = 261;

/** An admin-facing message per Management Activity API error code (see its reference's error table). */
function explainCode(
  code: string,
  apiMessage: string,
  ctx: { tenant: string; appClientId: string; endpoint: string },
  status: number,
): TenantAccessError {
  const suffix = `(Management Activity API ${status} ${code}: ${apiMessage})`;
  switch (code) {
    case 'AF10001':
      return new TenantAccessError(
        'insufficient_privileges',
        `The Office 365 Management Activity API refused the app ${suffix}. In Entra admin center > App registrations > ${ctx.appClientId} > API permissions, add Office 365 Management APIs > Application permissions > ${PERMISSION}, then click Grant admin consent.`,
        403,
        apiMessage,
        { permission: `${PERMISSION} (Office 365 Management APIs)` },
      );
    case 'AF20022':
      return new TenantAccessError(
        'management_subscription_missing',
        `There is no Management Activity API subscription for this content type ${suffix}. Start one with the bot command "audit start Audit.General" (or POST /api/v1/m365/tenants/{id}/audit/subscriptions/start); content becomes available from then on.`,
        status,
        apiMessage,
      );
    case 'AF20023':
      return new TenantAccessError(
        'management_subscription_disabled',
        `The Management Activity API subscription was disabled ${suffix}. Check that auditing is on (Microsoft Purview portal > Audit), then start it again with "audit start Audit.General"; content from the time it was off cannot be recovered.`,
        status,
        apiMessage,
      );
    case 'AF20024':
      return new TenantAccessError(
        'management_subscription_enabled',
        `The subscription is already enabled ${suffix}. Nothing to do.`,
        status,
        apiMessage,
      );
    case 'AF20010':
    case 'AF20011':
    case 'AF20012':
    case 'AF20013':
      return new TenantAccessError(
        'management_tenant_error',
        `The Management Activity API does not accept tenant ${ctx.tenant} ${suffix}. Check TENANT_ID, that the tenant has Office 365 with auditing turned on, and that MANAGEMENT_API_ENDPOINT (${ctx.endpoint}) is the endpoint of the tenant's cloud.`,
        status,
        apiMessage,
      );
    case 'AF20020':
      return new TenantAccessError(
        'management_invalid_content_type',
        `The content type is not one the API knows ${suffix}. Use Audit.General, Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint or DLP.All.`,
        status,
        apiMessage,
      );
    case 'AF20021':
      return new TenantAccessError(
        'management_webhook_invalid',
        `The API could not validate the subscription's webhook ${suffix}.`,
        status,
        apiMessage,
      );
    case 'AF20030':
    case 'AF20055':
      return new TenantAccessError(
        'management_invalid_window',
        `The content window was refused (at most 24 hours, starting at most 7 days ago) ${suffix}.`,
        status,
        apiMessage,
      );
    case 'AF20051':
      return new TenantAccessError(
        'management_content_expired',
        `A content blob expired before it was fetched (content is kept 7 days) ${suffix}. Sync more often than weekly.`,
        status,
        apiMessage,
      );
    case 'AF429':
      return new TenantAccessError(
        'management_throttled',
        `The Management Activity API is throttling this tenant ${suffix}, and still was after retries that honoured Retry-After. The next sync continues where this one stopped.`,
        429,
        apiMessage,
      );
    default:
      return new TenantAccessError(
        `management_${code.toLowerCase() || `http_${status}`}`,
        `The Management Activity API failed ${suffix}.`,
        status,
        apiMessage,
      );
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The objects of a JSON array body; anything else in it (null, numbers, strings) is not an item. */
function objectsOf(body: unknown): Json[] {
  return Array.isArray(body) ? body.filter(isObject) : [];
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reads and manages a tenant's activity feed over HTTPS, with a token for the API's own audience. */
export class HttpManagementActivityApi implements ManagementActivityApi {
  private count = 0;
  private readonly credential: TokenCredential;
  private readonly scope: string;
  private readonly base: string;

  constructor(
    private readonly conn: TenantConnection,
    readonly endpoint: string,
    options: {
      credential?: TokenCredential;
      resource?: string;
      sleep?: (ms: number) => Promise<void>;
      clock?: Clock;
    } = {},
  ) {
    this.credential = options.credential ?? createCredential(conn);
    this.scope = `${options.resource ?? managementResource(endpoint)}/.default`;
    this.base = `${endpoint.replace(/\/+$/, '')}/api/v1.0/${encodeURIComponent(conn.entraTenantId)}/activity/feed`;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.clock = options.clock ?? systemClock;
  }

  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: Clock;

  requests(): number {
    return this.count;
  }

  async listSubscriptions(): Promise<SubscriptionState[]> {
    const { body } = await this.request('GET', `${this.base}/subscriptions/list`, 'listing subscriptions');
    return objectsOf(body).map((s) => ({ contentType: text(s.contentType) ?? '', status: text(s.status) ?? '' }));
  }

  async startSubscription(contentType: ContentType): Promise<SubscriptionState> {
    const { body } = await this.request(
      'POST',
      `${this.base}/subscriptions/start?contentType=${encodeURIComponent(contentType)}`,
      `starting the ${contentType} subscription`,
    );
    const s = isObject(body) ? body : {};
    return { contentType: text(s.contentType) ?? contentType, status: text(s.status) ?? 'enabled' };
  }

  async stopSubscription(contentType: ContentType): Promise<void> {
    await this.request(
      'POST',
      `${this.base}/subscriptions/stop?contentType=${encodeURIComponent(contentType)}`,
      `stopping the ${contentType} subscription`,
    );
  }

  async listContent(
    contentType: ContentType,
    startTime: string,
    endTime: string,
    nextPageUri: string | null,
  ): Promise<{ blobs: ContentBlob[]; nextPageUri: string | null }> {
    const url =
      nextPageUri ??
      `${this.base}/subscriptions/content?contentType=${encodeURIComponent(contentType)}&startTime=${encodeURIComponent(startTime)}&endTime=${encodeURIComponent(endTime)}`;
    const { body, headers } = await this.request('GET', url, `listing ${contentType} content`);
    const blobs = objectsOf(body).flatMap((b): ContentBlob[] =>
      typeof b.contentId === 'string' && typeof b.contentUri === 'string'
        ? [
            {
              contentType: text(b.contentType) ?? contentType,
              contentId: b.contentId,
              contentUri: b.contentUri,
              contentCreated: text(b.contentCreated) ?? '',
            },
          ]
        : [],
    );
    return { blobs, nextPageUri: headers.get('NextPageUri') };
  }

  async fetchContent(contentUri: string): Promise<{ records: CopilotInteractionRecord[]; skipped: number }> {
    const { body } = await this.request('GET', contentUri, 'fetching a content blob');
    const records: CopilotInteractionRecord[] = [];
    let skipped = 0;
    for (const raw of objectsOf(body)) {
      if (raw.RecordType !== COPILOT_RECORD_TYPE && raw.Operation !== 'CopilotInteraction') continue;
      // CreationTime has no zone designator; the API's times are UTC.
      const created =
        typeof raw.CreationTime === 'string'
          ? Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(raw.CreationTime) ? raw.CreationTime : `${raw.CreationTime}Z`)
          : NaN;
      if (
        typeof raw.Id !== 'string' ||
        typeof raw.UserId !== 'string' ||
        raw.UserId === '' ||
        !Number.isFinite(created)
      ) {
        skipped++;
        continue;
      }
      const host = (isObject(raw.CopilotEventData) ? raw.CopilotEventData.AppHost : undefined) ?? raw.AppHost;
      records.push({
        id: raw.Id,
        upn: raw.UserId.toLowerCase(),
        at: new Date(created).toISOString(),
        appHost: typeof host === 'string' && host !== '' ? host : null,
      });
    }
    return { records, skipped };
  }

  /** One call, retried on throttling and outages (honouring Retry-After); errors become admin messages. */
  private async request(
    method: 'GET' | 'POST',
    url: string,
    doing: string,
  ): Promise<{ body: unknown; headers: Headers }> {
    const ctx = { tenant: this.conn.entraTenantId, appClientId: this.conn.appClientId, endpoint: this.endpoint };
    for (let attempt = 1; ; attempt++) {
      let token: string;
      try {
        const got = await this.credential.getToken(this.scope);
        if (!got) throw new Error(`no token for ${this.scope}`);
        token = got.token;
      } catch (error) {
        throw explainTenantError(
          error,
          {
            entraTenantId: this.conn.entraTenantId,
            appClientId: this.conn.appClientId,
            graphEndpoint: this.endpoint,
            authorityHost: this.conn.authorityHost,
          },
          `signing in to the Management Activity API (${doing})`,
        );
      }
      this.count++;
      let response: Response;
      let raw: string;
      try {
        response = await fetch(url, {
          method,
          headers: {
            Authorization: `Bearer ${token}`,
            ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
          },
          body: method === 'POST' ? '{}' : undefined,
          // Like Graph's requests (request-timeout.ts): a tenant that never answers must not hold a sync slot.
          signal: AbortSignal.timeout(GRAPH_REQUEST_TIMEOUT_MS),
        });
        raw = await response.text();
      } catch (error) {
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        const cause = timedOut
          ? { code: 'ETIMEDOUT', message: `no answer within ${GRAPH_REQUEST_TIMEOUT_MS / 1000} s` }
          : (error as { cause?: { code?: string; message?: string } }).cause;
        throw new TenantAccessError(
          'network_error',
          `Could not reach the Management Activity API at ${this.endpoint} while ${doing} (${cause?.code ?? 'connection failed'}: ${cause?.message ?? String(error)}). Check MANAGEMENT_API_ENDPOINT and that it is reachable from this server.`,
        );
      }
      if (response.ok) {
        const body = raw === '' ? null : safeJson(raw);
        if (body === undefined) {
          throw new TenantAccessError(
            'management_bad_response',
            `The Management Activity API at ${this.endpoint} answered ${doing} with something that is not JSON (${JSON.stringify(raw.slice(0, 120))}). A proxy or the wrong host may be answering: check MANAGEMENT_API_ENDPOINT and any proxy between this server and it.`,
            response.status,
          );
        }
        return { body, headers: response.headers };
      }
      const parsed = safeJson(raw);
      const error = isObject(parsed) && isObject(parsed.error) ? parsed.error : {};
      const code = text(error.code) ?? '';
      const message = text(error.message) ?? raw.slice(0, 300);
      const retryable = response.status === 429 || code === 'AF429' || response.status >= 500;
      if (retryable && attempt < MAX_ATTEMPTS) {
        const after = retryAfterMs(response.headers.get('Retry-After'), this.clock());
        await this.sleep(after !== undefined && after > 0 ? after : 2 ** attempt * 500);
        continue;
      }
      if (response.status === 401 && code === '') {
        throw new TenantAccessError(
          'management_unauthorized',
          `The Management Activity API rejected the access token while ${doing} (401: ${message}). Its tokens must be issued for ${this.scope.replace('/.default', '')}, not Microsoft Graph; check MANAGEMENT_API_ENDPOINT against the tenant's cloud.`,
          401,
          message,
        );
      }
      throw explainCode(code || (response.status === 403 ? 'AF10001' : ''), message, ctx, response.status);
    }
  }
}

/** The parsed body, or undefined when it is not JSON. */
function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
