import type { AdaptiveCardJson } from '../../cards/render';
import type { AdminDecision } from '../../domain/admins';
import type { TenantRecord } from '../../domain/tenant';
import { adminRefusalCard } from './admin-gate';
import type { CardActionAnswer } from './bot-types';
import { UNKNOWN_TENANT_TEXT } from './tenant-card-data';

/**
 * The answer of a button that shows a view. From the view's own card (paging) the view replaces it.
 * From a card that must stay as it was (`open: 'message'`, the digest), the view is posted as a new
 * message and the pressed card is left unchanged; a refusal or an error is then a note to the
 * presser, so the digest is never replaced by an error card either.
 */
export async function openedView(
  open: 'message' | undefined,
  gate: AdminDecision,
  found: { tenant: TenantRecord } | { card: AdaptiveCardJson },
  view: (tenant: TenantRecord) => AdaptiveCardJson | Promise<AdaptiveCardJson>,
  posted: string,
): Promise<CardActionAnswer> {
  if (open !== 'message') {
    if (!gate.allowed) return adminRefusalCard(gate.reason);
    return 'card' in found ? found.card : view(found.tenant);
  }
  if (!gate.allowed) return { type: 'note', note: gate.reason };
  if ('card' in found) return { type: 'note', note: UNKNOWN_TENANT_TEXT };
  return { type: 'post', card: await view(found.tenant), note: posted };
}
