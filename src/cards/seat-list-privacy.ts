import type { CandidatesView, InactiveView } from './seat-views';

/**
 * What a group chat or channel sees of `inactive` and `candidates` (README "Where per-user lists
 * go"): the header and the counts, none of the people. `note` says where the list went instead.
 */
const COUNTS_ONLY = 'Counts only: names and UPNs are not shown in this chat.';

export function inactiveCountsOnly(view: InactiveView, note: string): InactiveView {
  return {
    ...view,
    pageText: COUNTS_ONLY,
    rows: [],
    emptyText: note,
    hasPrevious: false,
    hasNext: false,
    canRequest: false,
    pickChoices: [],
    noticeText: '',
  };
}

export function candidatesCountsOnly(view: CandidatesView, note: string): CandidatesView {
  return { ...view, pageText: COUNTS_ONLY, rows: [], emptyText: note, hasPrevious: false, hasNext: false };
}
