import { createHash } from 'node:crypto';
import type { TokenService } from '../auth';
import { DEMO_TEAMS_APP_CATALOG_ID } from '../constants';
import { GraphError, readBody, sendGraphJson, type RequestContext } from '../http';
import type { GraphUser } from '../model';
import type { Router } from '../router';
import { GRAPH_VERSIONS, authorized, metadataContext } from './common';

/** Application permissions Graph accepts for installing an app for a user, and for reading installs. */
export const TEAMS_APP_PERMISSIONS = {
  write: [
    'TeamsAppInstallation.ReadWriteSelfForUser.All',
    'TeamsAppInstallation.ReadWriteForUser.All',
    'TeamsAppInstallation.ReadWriteAndConsentSelfForUser.All',
    'TeamsAppInstallation.ReadWriteAndConsentForUser.All',
  ],
  read: [
    'TeamsAppInstallation.ReadForUser.All',
    'TeamsAppInstallation.ReadWriteSelfForUser.All',
    'TeamsAppInstallation.ReadWriteForUser.All',
    'TeamsAppInstallation.ReadWriteAndConsentSelfForUser.All',
    'TeamsAppInstallation.ReadWriteAndConsentForUser.All',
  ],
} as const;

const stableId = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('|')).digest('base64url').slice(0, 40);

function userOrThrow(ctx: RequestContext): GraphUser {
  const user = ctx.store.findUser(ctx.params.id as string);
  if (!user)
    throw new GraphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${ctx.params.id}' does not exist or one of its queried reference-property objects are not present.`,
    );
  return user;
}

function installsOf(ctx: RequestContext, user: GraphUser) {
  const apps = (ctx.store.data.teamsApps ??= {});
  const installed = (apps.installed ??= {});
  return (installed[user.id.toLowerCase()] ??= []);
}

/**
 * Teams apps in a user's personal scope: install (201, or 409 when already there), list with
 * `$filter=teamsApp/id eq '…'` and `$expand=teamsApp`, and the 1:1 chat of an installation, whose
 * id a bot posts to proactively.
 */
export function registerTeamsAppRoutes(router: Router, tokens: TokenService): void {
  for (const version of GRAPH_VERSIONS) {
    router.add(
      'POST',
      `/${version}/users/:id/teamwork/installedApps`,
      authorized(tokens, TEAMS_APP_PERMISSIONS.write, async (ctx) => {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(await readBody(ctx.req)) as Record<string, unknown>;
        } catch {
          throw new GraphError(400, 'BadRequest', 'Unable to read JSON request payload.');
        }
        const bind = typeof body['teamsApp@odata.bind'] === 'string' ? body['teamsApp@odata.bind'] : '';
        const appId = /appCatalogs\/teamsApps\/([^/?'"]+)/i.exec(bind)?.[1]?.toLowerCase();
        if (!appId) throw new GraphError(400, 'BadRequest', "The 'teamsApp@odata.bind' property is required.");
        const user = userOrThrow(ctx);
        const catalog = (ctx.store.data.teamsApps?.catalog ?? [DEMO_TEAMS_APP_CATALOG_ID]).map((c) => c.toLowerCase());
        if (!catalog.includes(appId))
          throw new GraphError(404, 'NotFound', `App with id '${appId}' was not found in the tenant app catalog.`);
        const installs = installsOf(ctx, user);
        if (installs.some((i) => i.teamsAppId === appId))
          throw new GraphError(409, 'Conflict', 'App is already installed for this user.');
        installs.push({
          installationId: stableId('install', user.id, appId),
          teamsAppId: appId,
          chatId: `19:${user.id.toLowerCase()}_${stableId('chat', user.id, appId).slice(0, 16)}@unq.gbl.spaces`,
        });
        ctx.store.changed();
        ctx.res.writeHead(201, {
          'request-id': ctx.requestId,
          'client-request-id': ctx.clientRequestId,
          'Content-Length': '0',
        });
        ctx.res.end();
      }),
    );

    router.add(
      'GET',
      `/${version}/users/:id/teamwork/installedApps`,
      authorized(tokens, TEAMS_APP_PERMISSIONS.read, (ctx) => {
        const user = userOrThrow(ctx);
        const filter = ctx.url.searchParams.get('$filter');
        const wanted = filter === null ? null : /^teamsApp\/id eq '([^']+)'$/i.exec(filter.trim())?.[1]?.toLowerCase();
        if (filter !== null && !wanted) throw new GraphError(400, 'BadRequest', `Invalid filter clause: ${filter}`);
        const expand = /teamsApp/i.test(ctx.url.searchParams.get('$expand') ?? '');
        const value = installsOf(ctx, user)
          .filter((i) => !wanted || i.teamsAppId === wanted)
          .map((i) => ({
            id: i.installationId,
            ...(expand
              ? {
                  teamsApp: {
                    id: i.teamsAppId,
                    externalId: null,
                    displayName: 'Seat Steward',
                    distributionMethod: 'organization',
                  },
                }
              : {}),
          }));
        sendGraphJson(
          ctx,
          200,
          JSON.stringify({
            '@odata.context': metadataContext(ctx, `users('${user.id}')/teamwork/installedApps`),
            value,
          }),
        );
      }),
    );

    router.add(
      'GET',
      `/${version}/users/:id/teamwork/installedApps/:installationId/chat`,
      authorized(tokens, TEAMS_APP_PERMISSIONS.read, (ctx) => {
        const user = userOrThrow(ctx);
        const install = installsOf(ctx, user).find((i) => i.installationId === ctx.params.installationId);
        if (!install) throw new GraphError(404, 'NotFound', 'The app installation was not found.');
        sendGraphJson(
          ctx,
          200,
          JSON.stringify({
            '@odata.context': metadataContext(ctx, 'chats/$entity'),
            id: install.chatId,
            chatType: 'oneOnOne',
            topic: null,
          }),
        );
      }),
    );
  }
}
