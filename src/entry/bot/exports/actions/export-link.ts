import { z } from 'zod';
import { exportLinkView, type ExportButtonData } from '../../../../cards/export-views';
import { renderCard } from '../../../../cards/render';
import { type ExportLinks } from '../../../../usecases/analytics/ports';
import { EXPORT_KINDS } from '../../../../domain/seat-records';
import type { TenantReads } from '../../../../usecases/status/ports';
import type { AdminCheck } from '../../admin-gate';
import type { CardAction } from '../../bot-types';
import { UNKNOWN_TENANT_TEXT } from '../../tenant-card-data';
import { systemClock } from '../../../../domain/clock';

export const exportButtonData = z.object({
  tenantId: z.string().trim().min(1).max(128),
  kind: z.enum(EXPORT_KINDS),
});

/**
 * Export CSV (verb export.link) on the digest, `savings` and `departments` cards, which live a day or more while
 * a signed link lives minutes: the link is signed when the button is pressed and posted as a new
 * message, leaving the pressed card as it was. Admins only, as every export (most list people).
 */
export function exportLinkAction(deps: {
  tenants: TenantReads;
  links: ExportLinks;
  isAdmin: AdminCheck;
  now?: () => Date;
}): CardAction<ExportButtonData> {
  return {
    verb: 'export.link',
    data: exportButtonData,
    invalidData: {
      title: 'This export button is not valid',
      message: `The button asked for an export Seat Steward does not make (it makes ${EXPORT_KINDS.join(', ')}). Type **savings** or **departments** for fresh buttons.`,
    },
    async run(data, request) {
      const gate = deps.isAdmin(request.actor);
      if (!gate.allowed) return { type: 'note', note: gate.reason };
      const tenant = deps.tenants.find(data.tenantId);
      if (!tenant) return { type: 'note', note: UNKNOWN_TENANT_TEXT };
      let link: { url: string; expiresAt: string };
      try {
        link = deps.links.link(tenant.id, data.kind, (deps.now ?? systemClock)());
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        return {
          type: 'note',
          note: `Seat Steward could not make a download link: ${why} Set PUBLIC_BASE_URL to the address Teams users reach Seat Steward at, then press again.`,
        };
      }
      return {
        type: 'post',
        card: renderCard('export-link', exportLinkView(tenant.tenantName, data.kind, link)),
        note: 'Posted a fresh download link below.',
      };
    },
  };
}
