import type { Client } from '@microsoft/microsoft-graph-client';
import { READ_REQUIREMENTS } from '../../domain/access-requirements';
import { explainTenantError, type TenantContext } from './graph-errors';

export type InstalledChat = { kind: 'chat'; chatId: string } | { kind: 'unreachable'; reason: string };

const statusOf = (error: unknown): number | undefined => {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
};

/**
 * Proactive install (TEAMS_APP_CATALOG_ID): puts Seat Steward in a user's personal scope through
 * Graph and returns the 1:1 chat the bot can then post to. Refusals a wait cannot fix (no
 * permission, the app not in the catalog, the user gone) come back as `unreachable` with the fix;
 * throttling and outages are thrown for the outbox to retry.
 */
export class GraphTeamsAppInstaller {
  constructor(
    private readonly client: Client,
    private readonly ctx: TenantContext,
    private readonly catalogId: string,
  ) {}

  async personalChat(userId: string, signal?: AbortSignal): Promise<InstalledChat> {
    const base = `/users/${encodeURIComponent(userId)}/teamwork/installedApps`;
    try {
      await this.client
        .api(base)
        .option('signal', signal)
        .post({
          'teamsApp@odata.bind': `${new URL(this.ctx.graphEndpoint).origin}/v1.0/appCatalogs/teamsApps/${this.catalogId}`,
        });
    } catch (error) {
      // 409: already installed for them (they removed the chat, or an earlier attempt got through).
      if (statusOf(error) !== 409) return this.refusal(error, 'installing Seat Steward for the holder');
    }
    let installationId: string | undefined;
    try {
      const filter = `teamsApp/id eq '${this.catalogId}'`;
      const listed = (await this.client
        .api(`${base}?$expand=teamsApp&$filter=${encodeURIComponent(filter)}`)
        .option('signal', signal)
        .get()) as { value?: Array<{ id?: unknown }> };
      const id = listed.value?.[0]?.id;
      installationId = typeof id === 'string' ? id : undefined;
    } catch (error) {
      return this.refusal(error, "reading the holder's installed apps");
    }
    if (!installationId)
      return {
        kind: 'unreachable',
        reason: `Graph installed the app but does not list it for the user; check that TEAMS_APP_CATALOG_ID (${this.catalogId}) is Seat Steward's id in the Teams app catalog.`,
      };
    try {
      const chat = (await this.client
        .api(`${base}/${encodeURIComponent(installationId)}/chat`)
        .option('signal', signal)
        .get()) as { id?: unknown };
      if (typeof chat.id === 'string' && chat.id !== '') return { kind: 'chat', chatId: chat.id };
      return { kind: 'unreachable', reason: 'Graph returned no chat for the installed app.' };
    } catch (error) {
      return this.refusal(error, "reading the holder's chat with Seat Steward");
    }
  }

  private refusal(error: unknown, doing: string): InstalledChat {
    const status = statusOf(error);
    if (status === 404) {
      return {
        kind: 'unreachable',
        reason: `Graph answered 404 while ${doing}: the user no longer exists, or TEAMS_APP_CATALOG_ID (${this.catalogId}) is not in the tenant's Teams app catalog.`,
      };
    }
    if (status === 403 || status === 401) {
      const need = READ_REQUIREMENTS.reclaim_install;
      return {
        kind: 'unreachable',
        reason: explainTenantError(error, this.ctx, doing, { permission: need.permission }).message,
      };
    }
    throw error;
  }
}
