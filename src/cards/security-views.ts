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
  /** "18 / 20 · good", '' when not scored (unknown, or Secure Score). */
  ratingText: string;
}

export interface SecurityRecommendationView {
  /** "High · +12.5 points" */
  priorityText: string;
  title: string;
  description: string;
  color: 'Attention' | 'Warning' | 'Default';
}

export interface SecurityView {
  tenantName: string;
  generatedText: string;
  components: SecurityComponentView[];
  /** "Security score 72 / 100", or why there is none. */
  scoreText: string;
  /** Which components the score leaves out, '' when none. */
  scoreDetailText: string;
  /** The top recommendations by impact (at most 5). */
  recommendations: SecurityRecommendationView[];
  /** "and 3 more recommendations (GET /security)", '' when none left out. */
  moreText: string;
  /** How the score is made (rubric in one line). */
  scoreNote: string;
}
