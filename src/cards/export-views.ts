import type { ExportKind } from '../domain/seat-records';
import { utcText } from '../domain/time-text';

/** What an Export CSV button sends back: the link is signed when it is pressed, never when the card was posted. */
export interface ExportButtonData {
  tenantId: string;
  kind: ExportKind;
}

/** The small card an Export CSV button posts: one freshly signed download link and until when it works. */
export interface ExportLinkView {
  titleText: string;
  linkTitle: string;
  url: string;
  noteText: string;
}

const KIND_TEXT: Record<ExportKind, string> = {
  underutilized: 'seats to reclaim or review',
  candidates: 'seat candidates',
  departments: 'Copilot seats by department',
};

export function exportLinkView(
  tenantName: string,
  kind: ExportKind,
  link: { url: string; expiresAt: string },
): ExportLinkView {
  return {
    titleText: `${tenantName} · CSV export of ${KIND_TEXT[kind]}`,
    linkTitle: `Download ${kind}.csv`,
    url: link.url,
    noteText:
      kind === 'departments'
        ? `The link works until ${utcText(link.expiresAt)}; press Export CSV again for a fresh one.`
        : `The link works until ${utcText(link.expiresAt)}. It lists people, so share it only with whoever may see them; press Export CSV again for a fresh one.`,
  };
}
