import { z } from 'zod';
import type { AdaptiveCardJson } from '../../cards/render';
import type { TenantRecord } from '../../domain/tenant';
import type { TenantReads } from '../../usecases/status/ports';
import { errorCard } from './error-card';

/** What every tenant button sends back: Seat Steward's tenant id (the Entra id is accepted too). */
export const tenantCardData = z.object({ tenantId: z.string().trim().min(1).max(128) }).passthrough();
export type TenantCardData = z.infer<typeof tenantCardData>;

export const missingTenant = {
  title: 'This button is missing its tenant',
  message: 'The card did not say which tenant it is for. Type **status** for a fresh card.',
};

/** What a button of a removed (or never known) tenant is answered. */
export const UNKNOWN_TENANT_TEXT =
  'This card refers to a tenant Seat Steward does not know (it may have been removed). Type **status** for a fresh card.';

/** The tenant a button refers to, or the card explaining that it is gone. */
export function tenantOfCard(
  tenants: TenantReads,
  data: TenantCardData,
): { tenant: TenantRecord } | { card: AdaptiveCardJson } {
  const tenant = tenants.find(data.tenantId);
  if (tenant) return { tenant };
  return {
    card: errorCard('Unknown tenant', UNKNOWN_TENANT_TEXT),
  };
}
