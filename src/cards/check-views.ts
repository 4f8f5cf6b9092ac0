import type { CheckItem, CheckReport, CheckStatus } from '../domain/access-requirements';
import { utcText } from '../domain/time-text';
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

const STATUS: Record<CheckStatus, { text: string; color: CardColor }> = {
  ok: { text: 'OK', color: 'Good' },
  missing_permission: { text: 'Missing permission', color: 'Attention' },
  missing_licence: { text: 'Missing licence', color: 'Warning' },
  unreachable: { text: 'Unreachable', color: 'Attention' },
  error: { text: 'Error', color: 'Attention' },
  not_checked: { text: 'Not checked', color: 'Default' },
};

/** What the admin reads on a line: the permission it uses when it works, the fix when it does not. */
function detail(item: CheckItem): string {
  switch (item.status) {
    case 'ok':
      return `${item.permission} (${item.api})${item.licence ? ` · needs ${item.licence}` : ''}`;
    case 'missing_permission':
      return `Add the ${item.api} application permission ${item.permission} and grant admin consent. Without it: ${item.unlocks}`;
    case 'missing_licence':
      return `The tenant needs ${item.licence ?? 'a higher licence tier'}. Without it: ${item.unlocks}`;
    default:
      return item.message ?? '';
  }
}

export function checkView(report: CheckReport): CheckView {
  const counts = new Map<CheckStatus, number>();
  for (const item of report.items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
  const n = (s: CheckStatus): number => counts.get(s) ?? 0;
  const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;
  const parts = [`${n('ok')} of ${report.items.length} reads work`];
  if (n('missing_permission')) parts.push(plural(n('missing_permission'), 'permission missing', 'permissions missing'));
  if (n('missing_licence')) parts.push(plural(n('missing_licence'), 'licence missing', 'licences missing'));
  if (n('unreachable')) parts.push(`${n('unreachable')} unreachable`);
  if (n('error')) parts.push(plural(n('error'), 'error', 'errors'));
  const allOk = report.signIn.ok && n('ok') === report.items.length;
  return {
    tenantName: report.tenantName,
    checkedText: `Checked ${utcText(report.checkedAt)}`,
    summaryText: report.signIn.ok ? parts.join(' · ') : 'Sign-in failed: nothing else could be checked',
    summaryColor: allOk ? 'Good' : n('ok') === 0 || !report.signIn.ok ? 'Attention' : 'Warning',
    signInProblemText: report.signIn.ok ? '' : report.signIn.message,
    lines: report.items.map((item) => ({
      label: item.label,
      statusText: STATUS[item.status].text,
      statusColor: STATUS[item.status].color,
      detailText: detail(item),
    })),
  };
}
