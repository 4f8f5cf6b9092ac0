import type { TenantRecord } from '../../../domain/tenant';
import { MspConsentError, type MspConsent } from '../../../usecases/tenants/msp-consent';
import type { TenantReads } from '../../../usecases/status/ports';
import type { AdminCheck } from '../admin-gate';
import type { BotCommand, CommandReply } from '../bot-types';
import { forTenants } from '../per-tenant';

/** One message per link: more than this for one command would flood the chat. */
const CONSENT_LINKS_AT_ONCE = 10;

/**
 * `consent [tenant]`: the admin-consent link of the MSP's multi-tenant app for a customer tenant, and
 * where its consent stands. The link is for the customer's global admin; it is single-use.
 */
export function consentCommand(deps: {
  tenants: TenantReads;
  consent: Pick<MspConsent, 'link' | 'status' | 'configured'>;
  isAdmin: AdminCheck;
}): BotCommand {
  return {
    name: 'consent',
    usage: 'consent [tenant]',
    description:
      "The admin-consent link of the MSP's multi-tenant app for a customer tenant (send it to the customer's global admin), and whether they consented.",
    run: (request) =>
      forTenants({ tenants: deps.tenants, adminOnly: deps.isAdmin }, request, request.argument, (tenants) => {
        if (!deps.consent.configured)
          return [
            {
              kind: 'text',
              text: "No multi-tenant app is configured, so tenants are added with their own app registration. To add customers with one app instead, set MSP_APP_ID and SECRET_MSP_APP_SECRET (see the README's MSP setup) and restart.",
            },
          ];
        const shown = tenants.slice(0, CONSENT_LINKS_AT_ONCE);
        const replies = shown.map((tenant): CommandReply => ({ kind: 'text', text: consentText(deps, tenant) }));
        if (tenants.length > shown.length)
          replies.push({
            kind: 'text',
            text: `${tenants.length - shown.length} more tenants match: name one (its name, domain or id) for its link.`,
          });
        return replies;
      }),
  };
}

function consentText(deps: { consent: Pick<MspConsent, 'link' | 'status'> }, tenant: TenantRecord): string {
  const status = deps.consent.status(tenant);
  if (status?.state === 'granted')
    return `**${tenant.tenantName}**: consented on ${status.answeredAt?.slice(0, 16).replace('T', ' ')} UTC.`;
  try {
    const { url } = deps.consent.link(tenant);
    const before =
      status?.state === 'refused'
        ? `Consent was refused (${status.error ?? 'no reason given'}). `
        : 'Not consented yet. ';
    return `**${tenant.tenantName}**: ${before}Send this link to a global admin of ${tenant.domainName ?? tenant.tenantName} (it works once): ${url}`;
  } catch (error) {
    if (error instanceof MspConsentError) return `**${tenant.tenantName}**: ${error.message}`;
    throw error;
  }
}
