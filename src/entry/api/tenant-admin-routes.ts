import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import { SYNC_INTERVAL_HOURS, type TenantRecord } from '../../domain/tenant';
import type { DirectoryReads, SyncRunReads, TenantReads } from '../../usecases/status/ports';
import type { SyncHealth } from '../../domain/sync-schedule';
import type { CredentialDecrypter } from '../../usecases/tenants/ports';
import {
  TenantOnboardingError,
  type FirstCheck,
  type OnboardingErrorCode,
  type TenantOnboarding,
} from '../../usecases/tenants/tenant-onboarding';
import { readJsonBody } from '../http/http-edge';
import { CONTROL_CHARACTER } from '../input-text';
import { ApiError } from './api-errors';
import { requireClientInScope } from './api-auth';
import { CONSENT_CALLBACK_PATH } from '../../domain/msp-consent';
import { MspConsentError, type MspConsent } from '../../usecases/tenants/msp-consent';
import { JsonAnswer, jsonRoute, parseBody, parseQuery, tenantFromPath } from './api-route';
import { tenantFields, tenantJson } from './tenant-json';
import { GUID } from '../../domain/guid';
import { NO_TENANT, noQuery, type ApiDoc } from './api-doc';
import { checkSignInSchema, checkSummarySchema } from './sync-routes';
import { z } from './api-zod';

export interface TenantAdminRouteDeps {
  onboarding: TenantOnboarding;
  credentials: Pick<CredentialDecrypter, 'publicKey'>;
  runs: Pick<SyncRunReads, 'latestFinished'>;
  directory: Pick<DirectoryReads, 'skus'>;
  /** Every tenant; a key limited to some clients reaches only theirs (api-auth.ts). */
  tenants: TenantReads;
  health?: (tenant: TenantRecord) => SyncHealth;
  /** Admin consent of the MSP's multi-tenant app. */
  consent: MspConsent;
  authorize: (req: Request) => void;
  logger: Logger;
}

/** Labels of letters, digits and inner hyphens, at least two, the last alphabetic (RFC 1035 host names). */
const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** A JWE of a client secret is well under 2 KB; the limit only bounds the work before it is parsed. */
const MAX_ENCRYPTED = 16 * 1024;

const guid = (example: string) =>
  z
    .string({ required_error: 'is required', invalid_type_error: 'expected a string' })
    .regex(GUID, `expected a GUID such as ${example}`);
const tenantName = z
  .string({ required_error: 'is required', invalid_type_error: 'expected a string' })
  .trim()
  .min(1, 'expected a name of 1 to 256 characters')
  .max(256, 'expected a name of 1 to 256 characters')
  .refine((v) => !CONTROL_CHARACTER.test(v), 'contains a control character');
const domainName = z
  .string({ required_error: 'is required', invalid_type_error: 'expected a string' })
  .trim()
  .toLowerCase()
  .regex(DOMAIN, 'expected a domain name such as contoso.onmicrosoft.com');
const encrypted = z
  .string({ required_error: 'is required', invalid_type_error: 'expected a string (a JWE)' })
  .min(1, 'is empty')
  .max(MAX_ENCRYPTED, `expected at most ${MAX_ENCRYPTED} characters`);
const syncEnabled = z.boolean({ invalid_type_error: 'expected true or false' });
const interval = z
  .number({ invalid_type_error: 'expected a whole number of hours, or null to follow SYNC_CRON' })
  .int('expected a whole number of hours')
  .min(SYNC_INTERVAL_HOURS.min, `expected ${SYNC_INTERVAL_HOURS.min} to ${SYNC_INTERVAL_HOURS.max} hours`)
  .max(SYNC_INTERVAL_HOURS.max, `expected ${SYNC_INTERVAL_HOURS.min} to ${SYNC_INTERVAL_HOURS.max} hours`)
  .nullable();
const endpoint = z.string({ invalid_type_error: 'expected an https URL' });

const createBody = z
  .object({
    client_id: guid('987fcdeb-51a2-43d7-8f9a-123456789abc (your customer id)'),
    tenant_id: guid('12345678-1234-1234-1234-123456789012 (the Microsoft 365 tenant id)'),
    tenant_name: tenantName,
    domain_name: domainName,
    client_id_encrypted: encrypted.optional(),
    client_secret_encrypted: encrypted.optional(),
    use_msp_app: z.boolean({ invalid_type_error: 'expected true or false' }).optional(),
    sync_enabled: syncEnabled.optional(),
    sync_interval_hours: interval.optional(),
    graph_endpoint: endpoint.optional(),
    authority_host: endpoint.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    // The tenant's own app (both encrypted values), or the MSP's multi-tenant app (neither).
    for (const field of ['client_id_encrypted', 'client_secret_encrypted'] as const) {
      if (body.use_msp_app && body[field] !== undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'must be left out with use_msp_app: true' });
      if (!body.use_msp_app && body[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'is required (or send use_msp_app: true)' });
    }
  });

/** What Entra's admin-consent redirect carries (tenant and scope are informational: the state names the tenant). */
const consentCallbackQuery = z.object({
  state: z.string().max(200).optional(),
  admin_consent: z.string().max(10).optional(),
  tenant: z.string().max(100).optional(),
  scope: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
  error_uri: z.string().max(2000).optional(),
});

const changeBody = z
  .object({
    client_id: guid('987fcdeb-51a2-43d7-8f9a-123456789abc (your customer id)').nullable().optional(),
    tenant_name: tenantName.optional(),
    domain_name: domainName.optional(),
    client_id_encrypted: encrypted.optional(),
    client_secret_encrypted: encrypted.optional(),
    sync_enabled: syncEnabled.optional(),
    sync_interval_hours: interval.optional(),
    graph_endpoint: endpoint.optional(),
    authority_host: endpoint.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'is empty: send at least one field to change');

/** The use case's names of what a PATCH changed, as the API spells them. */
const FIELD_NAMES: Record<string, string> = {
  tenantName: 'tenant_name',
  domainName: 'domain_name',
  mspClientId: 'client_id',
  syncEnabled: 'sync_enabled',
  syncIntervalHours: 'sync_interval_hours',
  clientIdEncrypted: 'client_id_encrypted',
  clientSecretEncrypted: 'client_secret_encrypted',
  graphEndpoint: 'graph_endpoint',
  authorityHost: 'authority_host',
};

const deleteQuery = z.object({ confirm: z.string().max(100, 'expected a tenant id').optional() }).strict();

const consentSchema = z
  .object({
    state: z.enum(['pending', 'granted', 'refused']),
    consent_url: z.string().openapi({ description: "The admin-consent link for the customer's admin." }),
    requested_at: z.string(),
    answered_at: z.string().nullable(),
    error: z.string().nullable(),
  })
  .openapi('Consent');

const firstCheckBase = z.object({ started_at: z.string(), url: z.string() });
const tenantAnswerSchema = tenantFields.extend({
  graph_endpoint: z.string().nullable(),
  authority_host: z.string().nullable(),
  first_check: z
    .union([
      firstCheckBase.extend({ status: z.literal('running') }),
      firstCheckBase.extend({ status: z.literal('failed'), message: z.string() }),
      firstCheckBase.extend({
        status: z.literal('done'),
        checked_at: z.string(),
        sign_in: checkSignInSchema,
        summary: checkSummarySchema,
      }),
    ])
    .nullable()
    .openapi({ description: 'The permission check run when the tenant was added (url: its full report).' }),
});
const createdSchema = tenantAnswerSchema
  .extend({
    sync_started: z.boolean(),
    sync_job_id: z.number().int().nullable(),
    consent: consentSchema
      .optional()
      .openapi({ description: "With use_msp_app: the customer's admin consents here first." }),
  })
  .openapi('TenantCreated');
const changedSchema = tenantAnswerSchema
  .extend({
    changed: z.array(z.string()),
    sync_started: z.boolean(),
    sync_job_id: z.number().int().nullable(),
  })
  .openapi('TenantChanged');
const deletedSchema = z.object({
  deleted: z.literal(true),
  id: z.string(),
  tenant_id: z.string(),
  tenant_name: z.string(),
  rows_deleted: z.record(z.number().int()).openapi({ description: 'Rows erased, per table.' }),
});
const encryptionKeySchema = z
  .object({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.literal('enc'), enc: z.string() })
  .catchall(z.string())
  .openapi('EncryptionKey', { description: 'The public JWK to encrypt credentials to (JWE, ECDH-ES + A256GCM).' });
const html = { contentType: 'text/html', schema: z.string() };

const TENANT_CONFLICT = {
  description:
    'The tenant exists (tenant_exists), is syncing (tenant_busy), or comes from the environment (environment_tenant).',
  codes: ['tenant_exists', 'tenant_busy', 'environment_tenant'],
};
const NO_SECRETS_KEY = {
  description: 'SECRET_STORE_KEY is not set: credentials cannot be stored (secrets_key_missing).',
  codes: ['secrets_key_missing'],
};
const OTHER_CLIENT = {
  description: 'The key is limited to other MSP clients (key_scoped_to_clients).',
  codes: ['key_scoped_to_clients'],
};

export function documentTenantAdminRoutes(doc: ApiDoc): void {
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id/consent',
    tag: 'Tenants',
    summary: "The admin-consent link of a tenant added with the MSP's app, and whether it was answered",
    query: noQuery,
    responses: { 200: { description: 'The consent state and link.', content: consentSchema } },
    errors: {
      404: NO_TENANT,
      409: {
        description: "The MSP's app or PUBLIC_BASE_URL is not configured (its code says which).",
        codes: ['msp_app_not_configured', 'public_url_missing'],
      },
    },
  });
  doc.route({
    method: 'get',
    path: CONSENT_CALLBACK_PATH,
    tag: 'Tenants',
    summary: "Entra's redirect after the customer's admin answered the consent (a page for a browser)",
    description: 'No API key: the single-use state is the credential.',
    auth: 'none',
    query: consentCallbackQuery,
    responses: { 200: { description: 'A page saying consent was granted or not.', content: html } },
    errors: {
      400: { description: 'A page saying the link cannot be used (unknown or answered state).', content: html },
      500: { description: 'A page saying the consent could not be recorded.', content: html },
    },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/encryption-key',
    tag: 'Tenants',
    summary: "The server's public key: encrypt a tenant's app id and secret to it",
    query: noQuery,
    responses: { 200: { description: 'The public JWK.', content: encryptionKeySchema } },
    errors: { 503: 'The key to encrypt to is not available (SECRET_STORE_KEY).' },
  });
  doc.route({
    method: 'post',
    path: '/api/v1/m365/tenants',
    tag: 'Tenants',
    summary: "Add a customer tenant (its own app's credentials as JWE, or the MSP's app); its first sync starts",
    query: noQuery,
    body: createBody,
    responses: { 201: { description: 'Added.', content: createdSchema } },
    errors: {
      403: OTHER_CLIENT,
      409: TENANT_CONFLICT,
      503: NO_SECRETS_KEY,
    },
  });
  doc.route({
    method: 'get',
    path: '/api/v1/m365/tenants/:id',
    tag: 'Tenants',
    summary: 'One tenant, with its endpoints and first permission check',
    query: noQuery,
    responses: { 200: { description: 'The tenant.', content: tenantAnswerSchema.openapi('TenantDetail') } },
    errors: { 404: NO_TENANT },
  });
  doc.route({
    method: 'patch',
    path: '/api/v1/m365/tenants/:id',
    tag: 'Tenants',
    summary: "Change a tenant's names, client, sync settings, endpoints or credentials",
    query: noQuery,
    body: changeBody,
    responses: { 200: { description: 'The tenant, and what changed.', content: changedSchema } },
    errors: {
      403: OTHER_CLIENT,
      404: NO_TENANT,
      409: TENANT_CONFLICT,
      503: NO_SECRETS_KEY,
    },
  });
  doc.route({
    method: 'delete',
    path: '/api/v1/m365/tenants/:id',
    tag: 'Tenants',
    summary: 'Remove a tenant and erase its data (needs ?confirm=<the tenant id>)',
    query: deleteQuery,
    responses: { 200: { description: 'Removed; rows erased per table.', content: deletedSchema } },
    errors: {
      400: {
        description: 'confirm is missing or names another tenant (confirmation_required).',
        codes: ['confirmation_required'],
      },
      404: NO_TENANT,
      409: TENANT_CONFLICT,
    },
  });
}

const STATUS: Record<OnboardingErrorCode, number> = {
  invalid_parameter: 400,
  confirmation_required: 400,
  tenant_not_found: 404,
  tenant_exists: 409,
  tenant_busy: 409,
  environment_tenant: 409,
  secrets_key_missing: 503,
};

async function answering<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof TenantOnboardingError)) throw error;
    throw new ApiError(
      STATUS[error.code],
      error.code,
      error.message,
      error.field && error.code === 'invalid_parameter' ? [error.message] : undefined,
    );
  }
}

type TenantAnswer = z.infer<typeof tenantAnswerSchema>;

function checkJson(check: FirstCheck | undefined): TenantAnswer['first_check'] {
  if (!check) return null;
  const base = { started_at: check.startedAt, url: '' };
  if (check.status === 'running') return { status: check.status, ...base };
  if (check.status === 'failed') return { status: check.status, ...base, message: check.message };
  const { report } = check;
  const summary: Record<string, number> = {};
  for (const item of report.items) summary[item.status] = (summary[item.status] ?? 0) + 1;
  return {
    status: check.status,
    ...base,
    checked_at: report.checkedAt,
    sign_in: report.signIn.ok
      ? { status: 'ok' as const }
      : { status: 'failed' as const, code: report.signIn.code, message: report.signIn.message },
    summary,
  };
}

/**
 * Tenants added, changed and removed through the API (POST, GET/PATCH/DELETE /tenants/{id}), and
 * the public key their credentials are encrypted to (GET /encryption-key).
 */
export function registerTenantAdminRoutes(server: Server, deps: TenantAdminRouteDeps): void {
  const handle = jsonRoute(deps);
  const { onboarding } = deps;

  const consentJson = (tenant: TenantRecord): z.infer<typeof consentSchema> => {
    const { url, record } = consentLink(deps.consent, tenant);
    return {
      state: record.state,
      consent_url: url,
      requested_at: record.requestedAt,
      answered_at: record.answeredAt,
      error: record.error,
    };
  };

  server.get(
    '/api/v1/m365/tenants/:id/consent',
    handle((req) => {
      parseQuery(noQuery, req);
      return consentJson(tenantFromPath(deps.tenants, req));
    }),
  );

  // Entra's redirect after the customer's admin answered: no API key (a browser comes back), the
  // single-use state is the credential, and the page says what happens next.
  server.get(CONSENT_CALLBACK_PATH, async (req: Request, res: Response) => {
    try {
      const q = parseQuery(consentCallbackQuery, req);
      const answer = deps.consent.answer({
        state: q.state,
        adminConsent: q.admin_consent,
        error: q.error,
        errorDescription: q.error_description,
      });
      deps.logger.info(
        { tenant: answer.tenant.entraTenantId, consent: answer.state, error: answer.error },
        'admin consent answered',
      );
      sendPage(
        res,
        200,
        answer.state === 'granted'
          ? `Consent granted for ${answer.tenant.tenantName}`
          : `Consent not given for ${answer.tenant.tenantName}`,
        answer.state === 'granted'
          ? `Seat Steward can now read ${answer.tenant.tenantName}. ${answer.syncJobId !== null ? 'Its first sync has started; ' : ''}you can close this page.`
          : `Entra said: ${answer.error ?? 'no reason'}. Ask for a new consent link to try again.`,
      );
    } catch (error) {
      if (error instanceof ApiError) return sendPage(res, 400, 'This consent link cannot be used', error.message);
      if (!(error instanceof MspConsentError)) {
        deps.logger.error({ err: error }, 'the consent callback failed');
        return sendPage(
          res,
          500,
          'Seat Steward could not record the consent',
          'Try the link again, or ask its administrator.',
        );
      }
      sendPage(res, 400, 'This consent link cannot be used', error.message);
    }
  });

  const tenantAnswer = (tenant: TenantRecord): TenantAnswer => {
    const endpoints = onboarding.endpointsOf(tenant.id);
    const check = checkJson(onboarding.firstCheck(tenant.id));
    return {
      ...tenantJson(tenant, deps),
      graph_endpoint: endpoints?.graphEndpoint ?? null,
      authority_host: endpoints?.authorityHost ?? null,
      first_check: check && { ...check, url: `/api/v1/m365/tenants/${tenant.id}/check` },
    };
  };

  server.get(
    '/api/v1/m365/encryption-key',
    handle((req) => {
      parseQuery(noQuery, req);
      const key: z.infer<typeof encryptionKeySchema> = deps.credentials.publicKey();
      return key;
    }),
  );

  server.post(
    '/api/v1/m365/tenants',
    readJsonBody(64 * 1024),
    handle(async (req) => {
      parseQuery(noQuery, req);
      const body = parseBody(createBody, req);
      requireClientInScope(req, body.client_id.toLowerCase());
      const added = await answering(() =>
        onboarding.add({
          mspClientId: body.client_id.toLowerCase(),
          entraTenantId: body.tenant_id.toLowerCase(),
          tenantName: body.tenant_name,
          domainName: body.domain_name,
          credentials: body.use_msp_app
            ? 'msp_app'
            : {
                clientIdEncrypted: body.client_id_encrypted ?? '',
                clientSecretEncrypted: body.client_secret_encrypted ?? '',
              },
          syncEnabled: body.sync_enabled ?? true,
          syncIntervalHours: body.sync_interval_hours ?? null,
          graphEndpoint: body.graph_endpoint,
          authorityHost: body.authority_host,
        }),
      );
      const created: z.infer<typeof createdSchema> = {
        ...tenantAnswer(added.tenant),
        sync_started: added.syncJobId !== null,
        sync_job_id: added.syncJobId,
        // Added with the MSP's app: nothing syncs until the customer's admin consents through this link.
        ...(body.use_msp_app ? { consent: consentJson(added.tenant) } : {}),
      };
      return new JsonAnswer(201, created);
    }),
  );

  server.get(
    '/api/v1/m365/tenants/:id',
    handle((req) => {
      parseQuery(noQuery, req);
      const tenant = tenantFromPath(deps.tenants, req);
      return answering(() => tenantAnswer(onboarding.find(tenant.id)));
    }),
  );

  server.patch(
    '/api/v1/m365/tenants/:id',
    readJsonBody(64 * 1024),
    handle(async (req) => {
      parseQuery(noQuery, req);
      const body = parseBody(changeBody, req);
      const tenant = tenantFromPath(deps.tenants, req);
      if (body.client_id !== undefined) requireClientInScope(req, body.client_id?.toLowerCase() ?? null);
      const changed = await answering(() =>
        onboarding.change(tenant.id, {
          mspClientId: body.client_id === undefined ? undefined : (body.client_id?.toLowerCase() ?? null),
          tenantName: body.tenant_name,
          domainName: body.domain_name,
          syncEnabled: body.sync_enabled,
          syncIntervalHours: body.sync_interval_hours,
          clientIdEncrypted: body.client_id_encrypted,
          clientSecretEncrypted: body.client_secret_encrypted,
          graphEndpoint: body.graph_endpoint,
          authorityHost: body.authority_host,
        }),
      );
      const answer: z.infer<typeof changedSchema> = {
        ...tenantAnswer(changed.tenant),
        changed: changed.changed.map((f) => FIELD_NAMES[f] ?? f),
        sync_started: changed.syncJobId !== null,
        sync_job_id: changed.syncJobId,
      };
      return answer;
    }),
  );

  server.del(
    '/api/v1/m365/tenants/:id',
    handle((req) => {
      const q = parseQuery(deleteQuery, req);
      tenantFromPath(deps.tenants, req);
      return answering(() => {
        const removed = onboarding.remove(String(req.params.id ?? ''), q.confirm);
        const answer: z.infer<typeof deletedSchema> = {
          deleted: true,
          id: removed.tenant.id,
          tenant_id: removed.tenant.entraTenantId,
          tenant_name: removed.tenant.tenantName,
          rows_deleted: removed.erased,
        };
        return answer;
      });
    }),
  );
}

/** The consent link, or the admin-facing reason there is none (409: a setting is missing). */
function consentLink(consent: MspConsent, tenant: TenantRecord): ReturnType<MspConsent['link']> {
  try {
    return consent.link(tenant);
  } catch (error) {
    if (error instanceof MspConsentError) throw new ApiError(409, error.code, error.message);
    throw error;
  }
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A short page for the customer's admin, who arrives here from Entra in a browser. */
function sendPage(res: Response, status: number, title: string, body: string): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:40em;margin:3em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p><p>Seat Steward</p></body></html>`;
  res.sendRaw(status, html, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
}
