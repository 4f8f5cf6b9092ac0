import type { CardColor } from './view-models';

export interface CheckLine {
  label: string;
  /** "OK", "Missing permission", "Missing licence", "Unreachable", "Error", "Not checked" */
  statusText: string;
  statusColor: CardColor;
  /** The permission and API (ok lines), or what to do (the others). */
  detailText: string;
}

export interface CheckView {
  tenantName: string;
  /** e.g. "Checked 23 Nov 2026 18:52 UTC" */
  checkedText: string;
  /** e.g. "12 of 15 reads work · 2 permissions missing · 1 licence missing" */
  summaryText: string;
  summaryColor: CardColor;
  /** Set when the app could not sign in at all: what to fix first. */
  signInProblemText: string;
  lines: CheckLine[];
}
