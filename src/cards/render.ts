import type { ReclaimHistoryView, ReclaimNudgeView, ReclaimRequestView } from './reclaim-views';
import { clip } from '../domain/text';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'adaptivecards-templating';
import type { AdaptiveCardJson } from '../domain/conversation';
import type { CheckView } from './check-views';
import { keepPlaceholders } from './placeholders';
import {
  CARD_LIST_LIMITS,
  TEAMS_CARD_MAX_BYTES,
  type CommandHelp,
  type ErrorView,
  type HelpView,
  type StatusView,
  type SyncResultView,
  type SyncStartedView,
  type TenantStatusView,
  type WelcomeView,
} from './view-models';
import type { UsageView } from './usage-views';
import type { SecurityView } from './security-views';
import type { AuditStopConfirmView, AuditSubscriptionsView } from './audit-views';
import type { DigestScheduleView, DigestStatusView, DigestView } from './digest-views';
import type { SavingsView } from './savings-views';
import type { DepartmentsView } from './department-views';
import type { ExportLinkView } from './export-views';
import type { CandidatesView, InactiveView } from './seat-views';
import type { PortfolioView } from './portfolio-views';

/** Which view model each template in cards/ is bound to. */
export interface CardViews {
  welcome: WelcomeView;
  help: HelpView;
  status: StatusView;
  'sync-started': SyncStartedView;
  'sync-result': SyncResultView;
  error: ErrorView;
  check: CheckView;
  usage: UsageView;
  security: SecurityView;
  'audit-subscriptions': AuditSubscriptionsView;
  'audit-stop-confirm': AuditStopConfirmView;
  digest: DigestView;
  'digest-status': DigestStatusView;
  savings: SavingsView;
  departments: DepartmentsView;
  inactive: InactiveView;
  candidates: CandidatesView;
  'digest-schedule': DigestScheduleView;
  'reclaim-request': ReclaimRequestView;
  'reclaim-history': ReclaimHistoryView;
  'reclaim-nudge': ReclaimNudgeView;
  'export-link': ExportLinkView;
  portfolio: PortfolioView;
}

export type CardName = keyof CardViews;

/**
 * Free text comes from Graph errors and admins' tenant data; clipping it keeps one runaway
 * message from pushing the card over Teams' size limit and being rejected outright.
 */
const MAX_MESSAGE_CHARS = 1500;
const MAX_WARNING_CHARS = 500;

const CARDS_DIR = path.join(__dirname, '../../cards');

/**
 * adaptivecards-templating parses every `${...}` string of a template again at every expand (an
 * ANTLR parse each): about three quarters of an `inactive` reply's time, and most of the garbage
 * that grew the heap under 20 callers. A parsed expression is an immutable tree evaluated against
 * the data, so the parse of each template string is kept. Template strings come from cards/*.json
 * (a few hundred); the bound guards against anything else reaching the parser.
 */
const parsedStrings = new Map<string, unknown>();
const PARSED_STRINGS_MAX = 5000;
const parseInterpolatedString = Template.parseInterpolatedString.bind(Template);
Template.parseInterpolatedString = (text: string) => {
  let parsed = parsedStrings.get(text);
  if (parsed === undefined) {
    parsed = parseInterpolatedString(text);
    if (parsedStrings.size < PARSED_STRINGS_MAX) parsedStrings.set(text, parsed);
  }
  return parsed as ReturnType<typeof parseInterpolatedString>;
};

const templateCache = new Map<CardName, object>();
/** The engine's own preparation of each template (a copy with every string parsed), kept: expand() reuses it. */
const engineCache = new Map<CardName, Template>();

function expand(name: CardName, bound: object): unknown {
  let engine = engineCache.get(name);
  if (engine === undefined) {
    engine = new Template(loadTemplate(name));
    engineCache.set(name, engine);
  }
  return engine.expand({ $root: bound });
}

function loadTemplate(name: CardName): object {
  const cached = templateCache.get(name);
  if (cached !== undefined) return cached;
  const file = path.join(CARDS_DIR, `${name}.json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot load card template "${name}" from ${file}: ${reason}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Card template ${file} must contain a JSON object`);
  }
  templateCache.set(name, parsed);
  return parsed;
}

function cap<T>(items: readonly T[], max: number): { shown: T[]; hidden: number } {
  return { shown: items.slice(0, max), hidden: Math.max(0, items.length - max) };
}

/** Usage lines name placeholders ("reclaim <upn>"): written so they survive the card's Markdown. */
function readableCommand(c: CommandHelp): CommandHelp {
  return { command: keepPlaceholders(c.command), description: keepPlaceholders(c.description) };
}

function joinNotes(...notes: string[]): string {
  return notes.filter((note) => note !== '').join(' · ');
}

/**
 * Templates bind to the view plus a few texts only the renderer can know (how much it cut),
 * so producers never have to fill them in.
 */
const prepare: { [N in CardName]: (view: CardViews[N]) => object } = {
  welcome: (view) => ({ ...view, commands: view.commands.map(readableCommand) }),
  help: (view) => ({ ...view, commands: view.commands.map(readableCommand) }),
  status: (view) => {
    const tenant: TenantStatusView = view.tenant;
    const copilot = cap(tenant.copilotSkus, CARD_LIST_LIMITS.copilotSkus);
    const other = cap(tenant.otherSkus, CARD_LIST_LIMITS.otherSkus);
    return {
      tenant: {
        ...tenant,
        copilotSkus: copilot.shown,
        copilotSkusMoreText: copilot.hidden > 0 ? `+${copilot.hidden} more Copilot subscriptions` : '',
        otherSkus: other.shown,
        otherSkusMoreText: joinNotes(other.hidden > 0 ? `+${other.hidden} more` : '', tenant.otherSkusMoreText),
        lastSyncErrorText: clip(tenant.lastSyncErrorText, MAX_MESSAGE_CHARS),
        sources: tenant.sources
          .slice(0, CARD_LIST_LIMITS.sources)
          .map((line) => ({ ...line, text: clip(line.text, MAX_WARNING_CHARS) })),
      },
    };
  },
  'sync-started': (view) => view,
  'sync-result': (view) => {
    const warnings = cap(view.warnings, CARD_LIST_LIMITS.warnings);
    return {
      ...view,
      errorText: clip(view.errorText, MAX_MESSAGE_CHARS),
      warnings: warnings.shown.map((warning) => clip(warning, MAX_WARNING_CHARS)),
      warningsMoreText: warnings.hidden > 0 ? `+${warnings.hidden} more warnings` : '',
    };
  },
  error: (view) => ({ ...view, message: clip(view.message, MAX_MESSAGE_CHARS) }),
  check: (view) => ({
    ...view,
    signInProblemText: clip(view.signInProblemText, MAX_MESSAGE_CHARS),
    lines: view.lines.map((line) => ({ ...line, detailText: clip(line.detailText, MAX_WARNING_CHARS) })),
  }),
  usage: (view) => ({
    ...view,
    unavailableText: clip(view.unavailableText, MAX_MESSAGE_CHARS),
    staleText: clip(view.staleText, MAX_MESSAGE_CHARS),
    copilotText: clip(view.copilotText, MAX_MESSAGE_CHARS),
    copilotAsOfText: clip(view.copilotAsOfText, MAX_MESSAGE_CHARS),
  }),
  security: (view) => view,
  'audit-subscriptions': (view) => view,
  'audit-stop-confirm': (view) => view,
  digest: (view) => view,
  'digest-status': (view) => view,
  savings: (view) => ({ ...view, warnings: view.warnings.map((w) => ({ text: clip(w.text, MAX_WARNING_CHARS) })) }),
  departments: (view) => ({
    ...view,
    warnings: view.warnings.map((w) => ({ text: clip(w.text, MAX_WARNING_CHARS) })),
  }),
  inactive: (view) => view,
  'reclaim-request': (view) => view,
  'reclaim-history': (view) => view,
  'reclaim-nudge': (view) => ({ ...view, noticeText: clip(view.noticeText, MAX_MESSAGE_CHARS) }),
  candidates: (view) => view,
  'digest-schedule': (view) => view,
  'export-link': (view) => view,
  portfolio: (view) => view,
};

export type { AdaptiveCardJson };

/**
 * Binds cards/<name>.json to its view model.
 * Throws if the bound card reaches Teams' 28 KB limit, because Teams would reject the
 * whole message and the admin would see nothing at all.
 */
export function renderCard<N extends CardName>(name: N, view: CardViews[N]): AdaptiveCardJson {
  const card = expand(name, prepare[name](view));
  if (typeof card !== 'object' || card === null || (card as { type?: unknown }).type !== 'AdaptiveCard') {
    throw new Error(`Card template "${name}" did not expand to an Adaptive Card`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(card), 'utf8');
  if (bytes >= TEAMS_CARD_MAX_BYTES) {
    throw new Error(
      `The "${name}" card is ${bytes} bytes after binding; Teams only accepts cards smaller than ` +
        `${TEAMS_CARD_MAX_BYTES} bytes. Shorten the view model's texts or lists.`,
    );
  }
  return card as AdaptiveCardJson;
}
