import { createSecretKey, type KeyObject } from 'node:crypto';
import { DEFAULT_RECLAIM_TIMINGS, RECLAIM_MODES, type ReclaimMode, type ReclaimTimings } from '../domain/reclaim';
import fs from 'node:fs';
import path from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { DEFAULT_ANALYTICS_SETTINGS, type AnalyticsSettings, type ExclusionRules } from '../domain/seat-analytics';
import { DEFAULT_HISTORY_DAYS } from '../domain/usage-history';
import type { SkuPrice } from '../domain/seat-savings';
import { currencyProblem } from '../domain/currency';
import { parseClientAccess } from '../domain/client-access';
import { readEnvFiles } from './env-files';
import { GUID } from '../domain/guid';

/**
 * The app's whole configuration, validated once at start so that a typo stops the
 * app with the variable's name instead of surfacing hours later as a failed sync.
 */

const emptyToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value;

const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const guid = (what: string) =>
  z.preprocess(
    emptyToUndefined,
    z.string().regex(GUID, `expected ${what} as a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`).optional(),
  );

const httpsUrl = (fallback: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .url('expected an absolute URL such as https://graph.microsoft.com')
      .refine(
        (u) => u.startsWith('https://'),
        'expected an https:// URL (Microsoft Graph and Entra ID only answer over HTTPS)',
      )
      .transform((u) => u.replace(/\/+$/, ''))
      .default(fallback),
  );

/**
 * Bot Framework endpoints must be https; plain http is accepted on this machine only, for a local
 * issuer or connector (tests, a developer's stand-in), never across the network.
 */
const isLoopbackHost = (host: string) =>
  host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
const botEndpointUrl = z
  .string()
  .url('expected an absolute URL')
  .refine((u) => {
    const url = new URL(u);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  }, 'expected an https:// URL (http:// only on localhost / 127.0.0.1)');

const commaList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : (v ?? []),
  z.array(z.string()),
);

const KEY_HINT = 'generate one with `openssl rand -base64 32`';

/** 32 bytes as hex or base64 (either alphabet, padding optional); anything else is refused rather than stretched into a key. */
function decodeSecretsKey(text: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  const standard = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]{43}$/.test(standard)) return undefined;
  const bytes = Buffer.from(standard, 'base64');
  return bytes.length === 32 && bytes.toString('base64').replace(/=+$/, '') === standard ? bytes : undefined;
}

// A KeyObject, not a Buffer: logged by accident it prints as {} instead of the key's bytes.
const secretsKey = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .transform((text, ctx): KeyObject => {
      const bytes = decodeSecretsKey(text);
      if (!bytes) {
        ctx.addIssue({
          code: 'custom',
          message: `expected 32 random bytes as base64 (44 characters) or hex (64 characters); ${KEY_HINT}`,
        });
        return z.NEVER;
      }
      return createSecretKey(bytes);
    })
    .optional(),
);

/** The one on/off decoder: on/true/1 or off/false/0; unset = undefined, so each setting keeps its own default. */
const onOff = z.preprocess(
  emptyToUndefined,
  z
    .enum(['on', 'off', 'true', 'false', '1', '0'], { errorMap: () => ({ message: "expected 'on' or 'off'" }) })
    .transform((v) => v === 'on' || v === 'true' || v === '1')
    .optional(),
);

const days = (name: string, fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: `expected ${name} as a whole number of days` })
      .int('expected a whole number of days')
      .min(1, 'expected at least 1 day')
      .max(365, 'expected at most 365 days')
      .default(fallback),
  );

/** The environment variables, each validated on its own. */
const envSchema = z.object({
  BOT_ID: guid("the bot's Microsoft App ID"),
  SECRET_BOT_PASSWORD: optionalString,
  BOT_TENANT_ID: guid("the bot's Entra tenant ID"),
  BOT_ALLOWED_TENANTS: commaList.pipe(
    z.array(z.string().regex(GUID, 'expected a comma-separated list of Entra tenant GUIDs')),
  ),
  BOT_OPENID_METADATA_URL: z.preprocess(emptyToUndefined, botEndpointUrl.optional()),
  BOT_TOKEN_ISSUER: optionalString,
  BOT_SERVICE_URLS: commaList.pipe(z.array(botEndpointUrl)),
  BOT_TYPE: z.preprocess(
    emptyToUndefined,
    z
      .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMsi'], {
        errorMap: () => ({ message: 'expected MultiTenant, SingleTenant or UserAssignedMsi' }),
      })
      // New multi-tenant Azure Bots cannot be created after July 2025: a bot registered by hand is single-tenant.
      .default('SingleTenant'),
  ),
  TENANT_ID: guid('the Microsoft 365 tenant (directory) ID'),
  CLIENT_ID: guid("the app registration's Application (client) ID"),
  SECRET_CLIENT_SECRET: optionalString,
  CLIENT_CERTIFICATE_PATH: optionalString,
  /** The MSP's own multi-tenant Entra app, consented in each customer tenant: tenants are then added with their ids only. */
  MSP_APP_ID: optionalString,
  SECRET_MSP_APP_SECRET: optionalString,
  MSP_APP_CERTIFICATE_PATH: optionalString,
  SECRET_STORE_KEY: secretsKey,
  SECRET_STORE_KEY_PREVIOUS: secretsKey,
  GRAPH_ENDPOINT: httpsUrl('https://graph.microsoft.com'),
  AUTHORITY_HOST: httpsUrl('https://login.microsoftonline.com'),
  COPILOT_SKU_IDS: commaList.pipe(z.array(z.string().regex(GUID, 'expected a comma-separated list of SKU GUIDs'))),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  PORT: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: 'expected a port number' })
      .int('expected a whole port number')
      .min(0, 'expected a port from 0 to 65535')
      .max(65535, 'expected a port from 0 to 65535')
      .default(3978),
  ),
  /** Bearer keys; `client[|client…]:key` limits a key to those MSP clients' tenants. */
  API_KEYS: commaList.pipe(
    z.array(
      z
        .string()
        .transform((entry) => {
          const scoped = API_KEY_SCOPE.exec(entry);
          return scoped
            ? { key: scoped[2] as string, clients: (scoped[1] as string).toLowerCase().split('|') }
            : { key: entry, clients: null };
        })
        .refine((k) => k.key.length >= 16, 'expected every API key to be at least 16 characters long'),
    ),
  ),
  SYNC_CRON: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine(
        (expr) => cron.validate(expr),
        'expected a cron expression such as "0 */6 * * *" (minute hour day month weekday)',
      )
      .default('0 */6 * * *'),
  ),
  /** Tenant syncs running at once at most, scheduled and asked-for together; more wait in the outbox. */
  SYNC_CONCURRENCY: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: 'expected a whole number of syncs' })
      .int('expected a whole number of syncs')
      .min(1, 'expected at least 1 sync')
      .max(32, 'expected at most 32 syncs')
      .default(3),
  ),
  PLAYGROUND: onOff,
  /** Tenants added through the REST API may use Graph and authority hosts other than Microsoft's clouds. */
  ALLOW_CUSTOM_ENDPOINTS: onOff,
  WEBHOOK_ALLOW_HTTP_LOOPBACK: onOff,
  WEBHOOK_ALLOW_PRIVATE: onOff,
  /** Turn report name concealment off while usage reports are read, and back on (ReportSettings.ReadWrite.All). */
  REPORTS_UNCONCEAL: onOff,
  /** A usage report read successfully less than this many hours ago is not read again (reports refresh about daily). */
  REPORTS_REREAD_HOURS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().min(0, 'expected 0 or more hours').max(48, 'expected at most 48 hours').default(6),
  ),
  PLAYGROUND_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65535).default(56150)),
  /** The Entra object id the Playground chats as (its own default, "Alex Wilber", is no user of a real tenant). */
  PLAYGROUND_USER: guid('the Entra object id of the user the Playground acts as'),
  /** Where the bot's HTTP server (and the Playground) listen: an IP address or host name. */
  LISTEN_HOST: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[0-9A-Za-z.:-]+$/, 'expected an IP address or host name such as 127.0.0.1 or 0.0.0.0')
      .optional(),
  ),
  DEMO_USERS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int('expected a whole number of users')
      .min(1, 'expected at least 1 user')
      .max(1_000_000)
      .default(250),
  ),
  DEMO_TENANT_FILE: optionalString,
  /** How many demo organisations the demo serves (Contoso plus generated ones), for the many-tenants story. */
  DEMO_TENANTS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: 'expected a whole number of demo tenants' })
      .int('expected a whole number of demo tenants')
      .min(1, 'expected at least 1 demo tenant')
      .max(10, 'expected at most 10 demo tenants')
      .default(1),
  ),
  MANAGEMENT_API_ENDPOINT: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .url('expected an absolute URL such as https://manage.office.com')
      .refine((u) => u.startsWith('https://'), 'expected an https:// URL')
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  ),
  AUDIT_QUERY_WAIT_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: 'expected seconds' })
      .min(0, 'expected 0 or more seconds')
      .max(3600)
      .default(60),
  ),
  AUDIT_POLL_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: 'expected seconds' })
      .min(0.01, 'expected more than 0 seconds')
      .max(600)
      .default(10),
  ),
  AUDIT_OVERLAP_MINUTES: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'expected minutes' }).min(0).max(1440).default(15),
  ),
  AUDIT_LOOKBACK_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'expected days' }).min(1, 'expected at least 1 day').max(365).default(30),
  ),
  INACTIVE_DAYS: days('INACTIVE_DAYS', DEFAULT_ANALYTICS_SETTINGS.inactiveDays),
  REPORT_STALE_DAYS: days('REPORT_STALE_DAYS', DEFAULT_ANALYTICS_SETTINGS.reportStaleDays),
  GRACE_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: 'expected a whole number of days' })
      .int('expected a whole number of days')
      .min(0)
      .max(365)
      .default(DEFAULT_ANALYTICS_SETTINGS.graceDays),
  ),
  /** Days of daily history per user kept (star schema exports, seat cohorts); older days are pruned daily. */
  HISTORY_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: 'expected HISTORY_DAYS as a whole number of days' })
      .int('expected a whole number of days')
      .min(1, 'expected at least 1 day')
      .max(3660, 'expected at most 3660 days (ten years)')
      .default(DEFAULT_HISTORY_DAYS),
  ),
  EXCLUDE_USERS: commaList,
  EXCLUDE_GROUPS: commaList.pipe(
    z.array(z.string().regex(GUID, 'expected a comma-separated list of group object ids (GUIDs)')),
  ),
  EXCLUDE_DEPARTMENTS: commaList,
  /** skuId-or-partNumber=amount pairs, per user per month, e.g. "ENTERPRISEPACK=36,SPE_E5=57". */
  SKU_PRICES: commaList.pipe(
    z.array(
      z
        .string()
        .regex(
          /^[^=\s]+\s*=\s*\d+(\.\d{1,2})?$/,
          'expected SKU=price pairs such as "ENTERPRISEPACK=36,Microsoft_365_Copilot=30"',
        ),
    ),
  ),
  PRICE_CURRENCY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default('USD')
      .superRefine((code, ctx) => {
        const problem = currencyProblem(code);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
  ),
  /** Who may subscribe digests, set prices and see per-user data in chats: Entra object ids or UPNs. */
  ADMINS: commaList,
  /** Technicians and the MSP clients whose tenants they see: `principal=client[|client…][:approve]; …` (see client-access.ts). */
  CLIENT_ACCESS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((text, ctx) => {
        const parsed = parseClientAccess(text ?? '');
        if ('error' in parsed) {
          ctx.addIssue({ code: 'custom', message: parsed.error });
          return z.NEVER;
        }
        return parsed.grants;
      }),
  ),
  DASHBOARD_URL: z.preprocess(
    emptyToUndefined,
    z.string().url('expected an absolute URL (your Power BI report)').optional(),
  ),
  /** Where people's browsers reach this bot's HTTP server, for download links (e.g. the dev tunnel's URL). */
  PUBLIC_BASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .url('expected an absolute URL such as https://seatsteward.contoso.com')
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  ),
  EXPORT_LINK_MINUTES: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: 'expected minutes' })
      .min(1, 'expected at least 1 minute')
      .max(60, 'expected at most 60 minutes')
      .default(10),
  ),
  /** off | dry-run | on. dry-run (the default) walks the whole reclaim workflow and changes nothing in the tenant. */
  RECLAIM_MODE: z.preprocess(
    emptyToUndefined,
    z.enum(RECLAIM_MODES, { errorMap: () => ({ message: "expected 'off', 'dry-run' or 'on'" }) }).default('dry-run'),
  ),
  /** Who may approve or reject reclaims (object ids or UPNs); empty = ADMINS. */
  RECLAIM_APPROVERS: commaList,
  /** The requester cannot approve their own request (on unless set to off). */
  RECLAIM_TWO_PERSON: onOff,
  /** Ask seat holders first (Keep / Release) unless a request says otherwise. */
  RECLAIM_NUDGE: onOff,
  RECLAIM_NUDGE_DAYS: days('RECLAIM_NUDGE_DAYS', DEFAULT_RECLAIM_TIMINGS.nudgeDays),
  RECLAIM_KEEP_DAYS: days('RECLAIM_KEEP_DAYS', DEFAULT_RECLAIM_TIMINGS.keepDays),
  RECLAIM_UNDO_DAYS: days('RECLAIM_UNDO_DAYS', DEFAULT_RECLAIM_TIMINGS.undoDays),
  RECLAIM_EXPIRE_DAYS: days('RECLAIM_EXPIRE_DAYS', DEFAULT_RECLAIM_TIMINGS.expireDays),
  /** How long the re-check waits for fresh audit activity (a query still running, a source throttled) before skipping the seats. */
  RECLAIM_RECHECK_WAIT_MINUTES: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: 'expected minutes' })
      .min(0, 'expected 0 or more minutes')
      .max(1440, 'expected at most 1440 minutes (a day)')
      .default(60),
  ),
  /** required: no removal without audit activity read after approval; best-effort: a tenant with no readable audit source goes on with the usage report. */
  RECLAIM_RECHECK_AUDIT: z.preprocess(
    emptyToUndefined,
    z
      .enum(['required', 'best-effort'], { errorMap: () => ({ message: "expected 'required' or 'best-effort'" }) })
      .default('required'),
  ),
  /**
   * The Teams app's id in the tenant's app catalog: set it (with the TeamsAppInstallation.ReadWriteForUser.All
   * permission) to install the bot for a seat holder it cannot reach, so the nudge gets through.
   */
  TEAMS_APP_CATALOG_ID: z.preprocess(
    emptyToUndefined,
    z.string().regex(GUID, 'expected the Teams app catalog id (a GUID)').optional(),
  ),
  DIGEST_TIME: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time as HH:MM, e.g. 08:00')
      .default('08:00'),
  ),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

/**
 * Where inbound Bot Framework tokens are checked against. Unset = the Bot Framework's public cloud
 * (https://login.botframework.com/v1/.well-known/openidconfiguration, issuer https://api.botframework.com).
 */
export interface BotTokenValidation {
  openIdMetadataUrl?: string;
  tokenIssuer?: string;
}

export type BotAuth =
  | { mode: 'anonymous' }
  | { mode: 'MultiTenant'; appId: string; password: string; tokens: BotTokenValidation }
  | { mode: 'SingleTenant'; appId: string; password: string; tenantId: string; tokens: BotTokenValidation }
  | { mode: 'UserAssignedMsi'; appId: string; tenantId: string; tokens: BotTokenValidation };

/** How Seat Steward reaches the Microsoft 365 tenant it mirrors. */
export type TenantSource =
  /** `tenants`: DEMO_TENANTS, how many demo organisations are served (1, Contoso, when unset). */
  | { kind: 'demo'; users: number; fixtureFile?: string; tenants?: number }
  | {
      kind: 'entra';
      entraTenantId: string;
      appClientId: string;
      credential: { kind: 'secret'; secret: string } | { kind: 'certificate'; path: string };
      graphEndpoint: string;
      authorityHost: string;
    };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Seat Steward cannot start: the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Reads env/.env.<name> and env/.env.<name>.user (Teams Toolkit's layout), lets the
 * process environment override them, and validates the result.
 */
export function loadConfig(options: { env?: NodeJS.ProcessEnv; rootDir?: string } = {}): AppConfig {
  const processEnv = options.env ?? process.env;
  const rootDir = options.rootDir ?? process.cwd();
  const envName = processEnv.TEAMSFX_ENV?.trim() || 'local';
  const merged = { ...readEnvFiles(path.join(rootDir, 'env'), envName), ...definedOnly(processEnv) };
  return parseConfig(merged, envName, rootDir);
}

/**
 * The configuration: the environment variables validated one by one (envSchema), then read together
 * into the shape the app uses. Its output type is AppConfig, so the two cannot drift apart. A
 * problem across variables (BOT_TYPE without BOT_TENANT_ID...) is an issue whose message is whole.
 */
export function configSchema(envName: string, rootDir: string) {
  return envSchema.transform((v, ctx) => {
    const problems: string[] = [];
    // Teams Toolkit stores secrets encrypted ("crypto_...") until deploy writes them out; used as-is they fail sign-in with a misleading 401.
    for (const name of ['SECRET_BOT_PASSWORD', 'SECRET_CLIENT_SECRET', 'SECRET_MSP_APP_SECRET'] as const) {
      if (v[name]?.startsWith('crypto_')) {
        problems.push(
          `${name}: holds a value encrypted by Teams Toolkit (crypto_...); run the toolkit's deploy step, or put the plain secret in env/.env.${envName}.user`,
        );
      }
    }
    const bot = botAuth(v, problems);
    const tenant = tenantSource(v, problems, rootDir);
    secretsKeys(v, tenant, problems);
    const mspApp = mspAppOf(v, problems, rootDir);
    if (problems.length > 0) {
      for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem, params: { whole: true } });
      return z.NEVER;
    }

    /**
     * Teams tenants whose users may talk to the bot (lower-case). Empty = anyone, which only the
     * demo tenant allows by default: a real tenant's data is shown to its own tenant's users only.
     */
    const settings: AnalyticsSettings = {
      inactiveDays: v.INACTIVE_DAYS,
      reportStaleDays: v.REPORT_STALE_DAYS,
      graceDays: v.GRACE_DAYS,
    };
    const exclusions: ExclusionRules = {
      users: v.EXCLUDE_USERS.map((u) => u.toLowerCase()),
      groups: v.EXCLUDE_GROUPS.map((g) => g.toLowerCase()),
      departments: v.EXCLUDE_DEPARTMENTS,
    };
    const timings: ReclaimTimings = {
      nudgeDays: v.RECLAIM_NUDGE_DAYS,
      keepDays: v.RECLAIM_KEEP_DAYS,
      undoDays: v.RECLAIM_UNDO_DAYS,
      expireDays: v.RECLAIM_EXPIRE_DAYS,
    };
    const botAllowedTenants = (
      v.BOT_ALLOWED_TENANTS.length > 0 ? v.BOT_ALLOWED_TENANTS : tenant.kind === 'entra' ? [tenant.entraTenantId] : []
    ).map((t) => t.toLowerCase());
    return {
      envName,
      bot,
      /** How Seat Steward reaches the Microsoft 365 tenant it mirrors. */
      tenant,
      /** Seals tenant client secrets stored in DATA_DIR; `previousKey` only opens rows sealed before a rotation. */
      secrets: { key: v.SECRET_STORE_KEY, previousKey: v.SECRET_STORE_KEY_PREVIOUS },
      /** Tenants added through the REST API: other https Graph/authority hosts than Microsoft's (always so in the demo). */
      allowCustomTenantEndpoints: v.ALLOW_CUSTOM_ENDPOINTS ?? false,
      /**
       * Webhook endpoint safety: http:// to a loopback receiver (on by default in the demo, for its
       * local receivers), and private, loopback or link-local addresses at all (off: public only).
       */
      webhooks: {
        allowHttpLoopback: v.WEBHOOK_ALLOW_HTTP_LOOPBACK ?? tenant.kind === 'demo',
        allowPrivate: v.WEBHOOK_ALLOW_PRIVATE ?? false,
      },
      /**
       * Connector URL prefixes the bot may reply to besides the Bot Framework's own (Teams' smba hosts,
       * *.botframework.com and the US government clouds'); used only with BOT_ID.
       */
      botServiceUrls: v.BOT_SERVICE_URLS,
      botAllowedTenants,
      copilotSkuIds: v.COPILOT_SKU_IDS.map((id) => id.toLowerCase()),
      dataDir: path.resolve(rootDir, v.DATA_DIR),
      port: v.PORT,
      /**
       * LISTEN_HOST: the address the bot's server and the Playground listen on. Anonymous mode (no
       * BOT_ID) answers without any token check, so it defaults to loopback there; undefined = all
       * interfaces (a registered bot must be reachable by the Bot Framework).
       */
      listenHost: v.LISTEN_HOST ?? (bot.mode === 'anonymous' ? '127.0.0.1' : undefined),
      apiKeys: v.API_KEYS,
      syncCron: v.SYNC_CRON,
      /** SYNC_CONCURRENCY: tenant syncs at once at most; tenant.sync jobs beyond it wait in the outbox. */
      syncConcurrency: v.SYNC_CONCURRENCY,
      /**
       * `user`: the Entra object id the Playground chats as (PLAYGROUND_USER, else the first object id
       * in ADMINS); undefined = the Playground's own user. `tenantId`: the Teams tenant it says it comes
       * from: the first allowed tenant (TENANT_ID by default), since the tenant gate refuses any other;
       * undefined (the Playground's own, not a GUID) when every tenant is allowed, as with the demo.
       */
      playground: {
        enabled: v.PLAYGROUND ?? bot.mode === 'anonymous',
        port: v.PLAYGROUND_PORT,
        user: (v.PLAYGROUND_USER ?? v.ADMINS.find((a) => GUID.test(a)))?.toLowerCase(),
        tenantId: botAllowedTenants[0] as string | undefined,
      },
      /** Usage reports: REPORTS_UNCONCEAL and REPORTS_REREAD_HOURS. */
      reports: { unconceal: v.REPORTS_UNCONCEAL ?? false, rereadHours: v.REPORTS_REREAD_HOURS },
      logLevel: v.LOG_LEVEL,
      /** Copilot interactions from the audit log (Graph's audit log query and the Management Activity API). */
      audit: {
        /** Unset = from the Graph endpoint's cloud (the demo tenant serves it itself). */
        managementEndpoint: v.MANAGEMENT_API_ENDPOINT,
        queryWaitMs: v.AUDIT_QUERY_WAIT_SECONDS * 1000,
        pollIntervalMs: v.AUDIT_POLL_SECONDS * 1000,
        overlapMs: v.AUDIT_OVERLAP_MINUTES * 60_000,
        lookbackMs: v.AUDIT_LOOKBACK_DAYS * 86_400_000,
      },
      /** Seat analytics: INACTIVE_DAYS, REPORT_STALE_DAYS, GRACE_DAYS, the exclusion list and SKU_PRICES. */
      analytics: {
        settings,
        exclusions,
        /** Configured prices keyed by lower-case SKU id or part number (part numbers are resolved against the tenant's SKUs). */
        prices: new Map<string, Omit<SkuPrice, 'skuId'>>(
          v.SKU_PRICES.map((pair) => {
            const [key, amount] = pair.split('=').map((part) => part.trim());
            return [
              key.toLowerCase(),
              { amount: Number(amount), currency: v.PRICE_CURRENCY, source: 'config', setBy: null, setAt: null },
            ];
          }),
        ),
        /** PRICE_CURRENCY: what SKU_PRICES and a price typed in chat are in. */
        priceCurrency: v.PRICE_CURRENCY,
      },
      /** ADMINS, lower-case; empty = everyone for the demo tenant, nobody for a real one. */
      admins: v.ADMINS.map((a) => a.toLowerCase()),
      /** CLIENT_ACCESS: grants from the environment (more are stored through the REST API). */
      clientAccess: v.CLIENT_ACCESS,
      /** MSP_APP_*: the multi-tenant app customer tenants consent to (GDAP or direct); undefined without MSP_APP_ID. */
      mspApp,
      digest: { defaultTime: v.DIGEST_TIME, dashboardUrl: v.DASHBOARD_URL },
      /** HISTORY_DAYS: days of daily history per user kept. */
      history: { days: v.HISTORY_DAYS },
      exports: { publicBaseUrl: v.PUBLIC_BASE_URL, linkMs: v.EXPORT_LINK_MINUTES * 60_000 },
      /** RECLAIM_*: the reclaim workflow. */
      reclaim: {
        mode: v.RECLAIM_MODE satisfies ReclaimMode,
        /** RECLAIM_APPROVERS, lower-case; empty = ADMINS decide. */
        approvers: v.RECLAIM_APPROVERS.map((a) => a.toLowerCase()),
        twoPersonRule: v.RECLAIM_TWO_PERSON ?? true,
        nudgeByDefault: v.RECLAIM_NUDGE ?? false,
        timings,
        teamsAppCatalogId: v.TEAMS_APP_CATALOG_ID,
        /** The re-check's fresh activity read: RECLAIM_RECHECK_WAIT_MINUTES, RECLAIM_RECHECK_AUDIT. */
        recheck: {
          waitMs: v.RECLAIM_RECHECK_WAIT_MINUTES * 60_000,
          requireAudit: v.RECLAIM_RECHECK_AUDIT === 'required',
        },
      },
    };
  });
}

/** `client[|client…]:key`: client ids (UUIDs) before the first colon limit the key to those clients' tenants. */
const API_KEY_SCOPE =
  /^((?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})*):(.+)$/i;

export type AppConfig = z.output<ReturnType<typeof configSchema>>;

/** The slices each part of the app is built from: a factory takes its slice, not the whole configuration. */
export type AuditConfig = AppConfig['audit'];
export type ReportsConfig = AppConfig['reports'];
export type AnalyticsConfig = AppConfig['analytics'];
export type ReclaimConfig = AppConfig['reclaim'];
export type SecretsConfig = AppConfig['secrets'];

export function parseConfig(
  values: Record<string, string | undefined>,
  envName = 'local',
  rootDir = process.cwd(),
): AppConfig {
  const parsed = configSchema(envName, rootDir).safeParse(values);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        if (issue.code === 'custom' && issue.params?.whole === true) return issue.message;
        const name = issue.path.join('.') || '(environment)';
        const given = values[String(issue.path[0])];
        return `${name}: ${issue.message}${given !== undefined && given !== '' ? ` (got "${redact(name, given)}")` : ''}`;
      }),
    );
  }
  return parsed.data;
}

type Raw = z.infer<typeof envSchema>;

function botAuth(v: Raw, problems: string[]): BotAuth {
  if (!v.BOT_ID) return { mode: 'anonymous' };
  const tokens: BotTokenValidation = {
    ...(v.BOT_OPENID_METADATA_URL ? { openIdMetadataUrl: v.BOT_OPENID_METADATA_URL } : {}),
    ...(v.BOT_TOKEN_ISSUER ? { tokenIssuer: v.BOT_TOKEN_ISSUER } : {}),
  };
  if (v.BOT_TYPE === 'UserAssignedMsi') {
    if (!v.BOT_TENANT_ID)
      problems.push('BOT_TENANT_ID: required when BOT_TYPE is UserAssignedMsi (the tenant of the managed identity)');
    return { mode: 'UserAssignedMsi', appId: v.BOT_ID, tenantId: v.BOT_TENANT_ID ?? '', tokens };
  }
  if (!v.SECRET_BOT_PASSWORD) {
    problems.push(
      `SECRET_BOT_PASSWORD: required when BOT_ID is set and BOT_TYPE is ${v.BOT_TYPE} (the bot registration's client secret; put it in env/.env.<env>.user)`,
    );
  }
  if (v.BOT_TYPE === 'SingleTenant') {
    if (!v.BOT_TENANT_ID)
      problems.push('BOT_TENANT_ID: required when BOT_TYPE is SingleTenant (the tenant the bot is registered in)');
    return {
      mode: 'SingleTenant',
      appId: v.BOT_ID,
      password: v.SECRET_BOT_PASSWORD ?? '',
      tenantId: v.BOT_TENANT_ID ?? '',
      tokens,
    };
  }
  return { mode: 'MultiTenant', appId: v.BOT_ID, password: v.SECRET_BOT_PASSWORD ?? '', tokens };
}

/** MSP_APP_*: the multi-tenant app customer tenants consent to; undefined when MSP_APP_ID is unset. */
function mspAppOf(
  v: Raw,
  problems: string[],
  rootDir: string,
):
  | { appClientId: string; credential: { kind: 'secret'; secret: string } | { kind: 'certificate'; path: string } }
  | undefined {
  if (!v.MSP_APP_ID) {
    if (v.SECRET_MSP_APP_SECRET || v.MSP_APP_CERTIFICATE_PATH)
      problems.push(
        "MSP_APP_ID: required with SECRET_MSP_APP_SECRET or MSP_APP_CERTIFICATE_PATH (the multi-tenant app's Application (client) ID)",
      );
    return undefined;
  }
  if (!GUID.test(v.MSP_APP_ID))
    problems.push("MSP_APP_ID: expected the multi-tenant app's Application (client) ID, a GUID");
  if (!v.SECRET_MSP_APP_SECRET === !v.MSP_APP_CERTIFICATE_PATH)
    problems.push(
      "SECRET_MSP_APP_SECRET / MSP_APP_CERTIFICATE_PATH: set exactly one, the multi-tenant app's client secret or a PEM file with its certificate and private key",
    );
  // The demo seals with a per-process key, as for its own tenant; each start stores the app's secret again.
  if (v.SECRET_MSP_APP_SECRET && !v.SECRET_STORE_KEY && (v.TENANT_ID || v.CLIENT_ID))
    problems.push(
      `SECRET_STORE_KEY: required with SECRET_MSP_APP_SECRET: each customer tenant's connection stores the secret encrypted with this key. ${KEY_HINT}`,
    );
  return {
    appClientId: v.MSP_APP_ID.toLowerCase(),
    credential: v.MSP_APP_CERTIFICATE_PATH
      ? { kind: 'certificate', path: path.resolve(rootDir, v.MSP_APP_CERTIFICATE_PATH) }
      : { kind: 'secret', secret: v.SECRET_MSP_APP_SECRET ?? '' },
  };
}

function tenantSource(v: Raw, problems: string[], rootDir: string): TenantSource {
  const anySet = v.TENANT_ID || v.CLIENT_ID || v.SECRET_CLIENT_SECRET || v.CLIENT_CERTIFICATE_PATH;
  if (!anySet) {
    return {
      kind: 'demo',
      users: v.DEMO_USERS,
      fixtureFile: v.DEMO_TENANT_FILE ? path.resolve(rootDir, v.DEMO_TENANT_FILE) : undefined,
      tenants: v.DEMO_TENANTS,
    };
  }
  if (v.DEMO_TENANTS > 1)
    problems.push(
      'DEMO_TENANTS: only applies to the built-in demo; unset it (or set TENANT_ID, CLIENT_ID and the secret for no tenant) to connect a real tenant',
    );
  if (!v.TENANT_ID)
    problems.push(
      'TENANT_ID: required to connect a real tenant (Entra admin center > Overview > Directory (tenant) ID)',
    );
  if (!v.CLIENT_ID)
    problems.push("CLIENT_ID: required to connect a real tenant (the app registration's Application (client) ID)");
  if (!v.SECRET_CLIENT_SECRET && !v.CLIENT_CERTIFICATE_PATH) {
    problems.push(
      'SECRET_CLIENT_SECRET: required to connect a real tenant (the client secret value, not its ID), or set CLIENT_CERTIFICATE_PATH to a PEM file with the certificate and private key',
    );
  }
  if (v.CLIENT_CERTIFICATE_PATH) {
    const file = path.resolve(rootDir, v.CLIENT_CERTIFICATE_PATH);
    const pem = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (pem === undefined) problems.push(`CLIENT_CERTIFICATE_PATH: no file at ${file}`);
    else if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem) || !/-----BEGIN CERTIFICATE-----/.test(pem)) {
      problems.push(
        `CLIENT_CERTIFICATE_PATH: expected a PEM file holding both the certificate and its private key (${file})`,
      );
    }
  }
  if (v.SECRET_CLIENT_SECRET && v.CLIENT_CERTIFICATE_PATH) {
    problems.push('SECRET_CLIENT_SECRET / CLIENT_CERTIFICATE_PATH: set one of them, not both');
  }
  return {
    kind: 'entra',
    entraTenantId: v.TENANT_ID ?? '',
    appClientId: v.CLIENT_ID ?? '',
    credential: v.CLIENT_CERTIFICATE_PATH
      ? { kind: 'certificate', path: path.resolve(rootDir, v.CLIENT_CERTIFICATE_PATH) }
      : { kind: 'secret', secret: v.SECRET_CLIENT_SECRET ?? '' },
    graphEndpoint: v.GRAPH_ENDPOINT,
    authorityHost: v.AUTHORITY_HOST,
  };
}

function secretsKeys(v: Raw, tenant: TenantSource, problems: string[]): void {
  if (!v.SECRET_STORE_KEY && tenant.kind === 'entra' && tenant.credential.kind === 'secret') {
    problems.push(
      `SECRET_STORE_KEY: required with SECRET_CLIENT_SECRET: the client secret is stored in DATA_DIR encrypted with this key. ${KEY_HINT[0].toUpperCase()}${KEY_HINT.slice(1)}, put it beside SECRET_CLIENT_SECRET (env/.env.<env>.user) and keep a copy: without it the stored secrets cannot be read`,
    );
  }
  if (v.SECRET_STORE_KEY_PREVIOUS && !v.SECRET_STORE_KEY) {
    problems.push(
      'SECRET_STORE_KEY_PREVIOUS: only read together with SECRET_STORE_KEY; to rotate, set SECRET_STORE_KEY to the new key and SECRET_STORE_KEY_PREVIOUS to the key it replaces',
    );
  } else if (v.SECRET_STORE_KEY && v.SECRET_STORE_KEY_PREVIOUS?.equals(v.SECRET_STORE_KEY)) {
    problems.push(
      'SECRET_STORE_KEY_PREVIOUS: is the same key as SECRET_STORE_KEY; set it to the key being replaced, or remove it',
    );
  }
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(env)) if (val !== undefined) out[k] = val;
  return out;
}

function redact(name: string, value: string): string {
  return /SECRET|PASSWORD|API_KEYS/.test(name) ? '***' : value;
}
