import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { teamsTenantOf } from './activity';
import { errorCard } from './error-card';
import { invokeCardResponse } from './invoke-response';

const REFUSAL = 'Seat Steward serves the Microsoft 365 admins of its own organization only.';

/**
 * License data belongs to the tenant's own admins: a turn from another Teams tenant is answered
 * with a refusal and goes no further (no stored reference, no sync). Returns whether to go on.
 */
export async function admitTenant(
  context: TurnContext,
  allowedTenants: readonly string[],
  logger: Logger,
): Promise<boolean> {
  if (allowedTenants.length === 0) return true;
  const callerTenant = teamsTenantOf(context.activity)?.toLowerCase();
  if (callerTenant && allowedTenants.includes(callerTenant)) return true;
  logger.warn({ callerTenant, type: context.activity.type }, 'turn from a tenant that is not allowed');
  if (context.activity.type === ActivityTypes.Invoke) {
    await context.sendActivity(invokeCardResponse(errorCard('Not available', REFUSAL)));
  } else if (context.activity.type === ActivityTypes.Message) {
    await context.sendActivity(REFUSAL);
  }
  return false;
}
