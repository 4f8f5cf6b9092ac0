import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { TeamsAdapter } from '@microsoft/teams-ai';
import type { BotAuth } from '../../config/config';

/**
 * With no BOT_ID the adapter runs anonymous (no inbound JWT check, no outbound token),
 * which is what the Agents Playground and local tests talk to.
 */
export function createTeamsAdapter(auth: BotAuth): TeamsAdapter {
  if (auth.mode === 'anonymous') return new TeamsAdapter({}, new ConfigurationServiceClientCredentialFactory({}));
  const settings =
    auth.mode === 'UserAssignedMsi'
      ? { MicrosoftAppId: auth.appId, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: auth.tenantId }
      : {
          MicrosoftAppId: auth.appId,
          MicrosoftAppPassword: auth.password,
          MicrosoftAppType: auth.mode,
          MicrosoftAppTenantId: auth.mode === 'SingleTenant' ? auth.tenantId : undefined,
        };
  return new TeamsAdapter(settings, new ConfigurationServiceClientCredentialFactory(settings));
}

/** continueConversationAsync needs a string app id; '' is what anonymous mode accepts. */
export function botAppId(auth: BotAuth): string {
  return auth.mode === 'anonymous' ? '' : auth.appId;
}
