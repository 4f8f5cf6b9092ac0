import type { Logger } from 'pino';
import { renderCard, type AdaptiveCardJson } from '../../cards/render';
import type { SyncRunRecord } from '../../domain/sync-run';
import type { ConversationTarget, Notifier } from '../notify/ports';
import type { TenantReads } from '../status/ports';
import { syncResultView } from '../status/status-views';

/** Tells the conversation that asked for a sync how it ended. */
export class SyncResultReport {
  constructor(
    private readonly deps: { tenants: TenantReads; notifier: Notifier; logger: Logger },
  ) {}

  card(run: SyncRunRecord): AdaptiveCardJson {
    const tenant = this.deps.tenants.find(run.tenantId);
    if (!tenant) throw new Error(`tenant ${run.tenantId} of sync run ${run.id} is gone`);
    return renderCard('sync-result', syncResultView(tenant, run));
  }

  /** Posts the result card once the sync ends; never throws (a failure is logged). */
  postWhenDone(done: Promise<SyncRunRecord>, target: ConversationTarget): void {
    done
      .then((run) => this.deps.notifier.post(target, [this.card(run)], `sync result of run ${run.id}`))
      .catch((error: unknown) => this.deps.logger.error({ err: error, conversation: target.conversation.id }, 'could not post the sync result'));
  }
}
