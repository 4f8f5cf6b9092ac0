import { renderCard } from '../../../cards/render';
import { STOP_DATA_GAP_WARNING } from '../../../usecases/audit/audit-subscriptions';
import { CONTENT_TYPES, contentTypeNamed } from '../../../domain/audit-content-types';
import { adminRefusalCard } from '../admin-gate';
import type { BotCommand, CommandReply } from '../bot-types';
import { errorCard } from '../error-card';
import { oneTenantNamed } from '../per-tenant';
import { clipText } from '../text';
import { managementErrorCard, subscriptionsCard, type AuditDeps } from './presenter';

const USAGE = `Type **audit subscriptions**, **audit start <content type>** or **audit stop <content type>** (content types: ${CONTENT_TYPES.join(', ')}), optionally followed by a tenant name.`;

/**
 * `audit subscriptions|start|stop`: the tenant's Office 365 Management Activity API subscriptions.
 * Anyone may list them; start and stop are for admins, and a stop answers with a confirmation only
 * its requester can give, once (card-actions/audit-stop-confirm).
 */
export function auditCommand(deps: AuditDeps): BotCommand {
  return {
    name: 'audit',
    usage: 'audit subscriptions | start <content type> | stop <content type>',
    description:
      'The Office 365 Management Activity API subscriptions behind Copilot interactions; start and stop are for admins, and stopping one asks you to confirm.',
    async run(request): Promise<CommandReply[]> {
      const [verb = '', ...rest] = request.argument.split(' ').filter(Boolean);
      const action = verb.toLowerCase();
      if (action !== 'subscriptions' && action !== 'start' && action !== 'stop') return [{ kind: 'text', text: USAGE }];
      const typeWord = action === 'subscriptions' ? undefined : rest.shift();
      const contentType = typeWord === undefined ? undefined : contentTypeNamed(typeWord);
      if (action !== 'subscriptions' && !contentType) {
        return [
          {
            kind: 'text',
            text: `"${clipText(typeWord ?? '', 40)}" is not a content type. Use one of ${CONTENT_TYPES.join(', ')}.`,
          },
        ];
      }
      if (action !== 'subscriptions') {
        const gate = deps.isAdmin(request.actor);
        if (!gate.allowed) return [{ kind: 'card', card: adminRefusalCard(gate.reason) }];
      }
      const one = oneTenantNamed(
        deps.tenants,
        rest.join(' '),
        (t) => `audit ${action}${contentType ? ` ${contentType}` : ''} ${t.domainName ?? t.tenantName}`,
      );
      if ('text' in one) return [{ kind: 'text', text: one.text }];
      const { tenant } = one;
      try {
        if (action === 'subscriptions')
          return [{ kind: 'card', card: subscriptionsCard(tenant, await deps.subscriptions.list(tenant), '') }];
        if (action === 'start' && contentType)
          return [
            {
              kind: 'card',
              card: subscriptionsCard(
                tenant,
                await deps.subscriptions.start(tenant, contentType),
                `${contentType} started.`,
              ),
            },
          ];
        if (contentType) {
          // No confirmation for a stop that would do nothing: say the subscription is already off.
          await deps.subscriptions.assertStoppable(tenant, contentType);
          const confirmData = deps.subscriptions.confirmation(tenant, contentType, request.actor);
          if (!confirmData) {
            return [
              {
                kind: 'card',
                card: errorCard(
                  'Cannot confirm who you are',
                  'Teams did not send your Entra identity with this message, so a stop cannot be confirmed by you alone. Use the REST API (POST .../audit/subscriptions/stop with confirm: true) instead.',
                ),
              },
            ];
          }
          return [
            {
              kind: 'card',
              card: renderCard('audit-stop-confirm', {
                tenantName: tenant.tenantName,
                contentType,
                requesterName: confirmData.requesterName || 'you',
                warning: STOP_DATA_GAP_WARNING,
                confirmData: { ...confirmData },
              }),
            },
          ];
        }
      } catch (error) {
        return [{ kind: 'card', card: managementErrorCard(error) }];
      }
      return [{ kind: 'text', text: USAGE }];
    },
  };
}
