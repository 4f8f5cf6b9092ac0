/** View model of cards/security.json: every figure with its as-of date; unread components say why. */
export interface SecurityComponentView {
  title: string;
  /** The headline figure ("12 of 14 users (85.7%)"), or "Unknown". */
  valueText: string;
  /** Secondary figures, '' when none. */
  detailText: string;
  /** "as of 2025-01-15 09:30 UTC", or '' when unknown. */
  asOfText: string;
  unknown: boolean;
  /** Why it is unknown or stale (permission or licence to add), '' when read. */
  reasonText: string;
  /** 'Default' when read, 'Warning' when stale or unknown. */
  color: 'Default' | 'Warning';
}

export interface SecurityView {
  tenantName: string;
  generatedText: string;
  components: SecurityComponentView[];
  /** Says that ratings and recommendations are not computed yet. */
  scoreNote: string;
}
