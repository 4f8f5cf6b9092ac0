import { syncStartedCard } from '../../../cards/status-cards';
import type { TenantReads } from '../../../usecases/status/ports';
import type { SyncResultReport } from '../../../usecases/sync/sync-result-report';
import type { SyncService } from '../../../usecases/sync/sync-service';
import type { BotCommand, CommandReply } from '../bot-types';
import { forTenants } from '../per-tenant';

/** `sync [tenant]`: answers "started" at once; the result is posted into the chat when the sync ends. */
export function syncCommand(deps: { tenants: TenantReads; sync: SyncService; report: SyncResultReport }): BotCommand {
  return {
    name: 'sync',
    usage: 'sync [tenant]',
    description: 'Refresh the cache from Microsoft Graph now; the result is posted here when done.',
    run: (request) =>
      forTenants(deps, request, request.argument, (tenants) =>
        tenants.map((tenant): CommandReply => {
          const started = deps.sync.request(tenant.id, 'command');
          // Refused before it started (the disk is full): the answer is the failure itself, and there is no room to queue a post.
          if (started.run.status !== 'running') return { kind: 'card', card: deps.report.card(started.run) };
          deps.report.postWhenDone(started.run, request.replyTarget);
          return { kind: 'card', card: syncStartedCard(tenant, started.run, started.joined) };
        }),
      ),
  };
}
