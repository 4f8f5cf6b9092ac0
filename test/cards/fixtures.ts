import type {
  ErrorView,
  HelpView,
  StatusView,
  SyncResultView,
  SyncStartedView,
  TenantStatusView,
  WelcomeView,
} from '../../src/cards/view-models';
import type { SecurityView } from '../../src/cards/security-views';

/** A name built to break naive templating: an expression, quotes, a backtick, emoji and JSON-ish text. */
export const HOSTILE_NAME = 'Contoso "Eng" ${tenantId} `x` ${1+1} 🚀 {"a":1} \\ end';

export const COMMANDS = [
  { command: 'status', description: 'Licenses and Copilot seats of each tenant' },
  { command: 'sync', description: 'Read users and licenses from Microsoft Graph now' },
  { command: 'help', description: 'What I can do' },
];

export function welcomeView(overrides: Partial<WelcomeView> = {}): WelcomeView {
  return {
    botName: 'Seat Steward',
    tagline: 'I keep an eye on your Microsoft 365 licenses, above all Copilot seats, so none sit unused.',
    installedIn: 'team channel',
    mentionHint: 'Mention @Seat Steward, then type a command.',
    commands: COMMANDS,
    ...overrides,
  };
}

export function helpView(overrides: Partial<HelpView> = {}): HelpView {
  return { botName: 'Seat Steward', mentionHint: '', commands: COMMANDS, ...overrides };
}

export function tenantView(overrides: Partial<TenantStatusView> = {}): TenantStatusView {
  return {
    sources: [],
    tenantId: 'tnt_7f3c2a',
    synced: true,
    tenantName: 'Contoso Ltd',
    domainName: 'contoso.onmicrosoft.com',
    totalUsers: 262,
    licensedUsers: 231,
    userBreakdownText: '231 enabled · 19 disabled · 12 guests',
    hasCopilot: true,
    copilotPurchased: 1300,
    copilotAssigned: 1258,
    copilotAvailable: 42,
    copilotSkus: [
      {
        productName: 'Microsoft 365 Copilot',
        skuPartNumber: 'Microsoft_365_Copilot',
        purchased: 1000,
        assigned: 980,
        available: 20,
      },
      {
        productName: 'Microsoft 365 Copilot (Education Faculty)',
        skuPartNumber: 'Microsoft_365_Copilot_EDU',
        purchased: 300,
        assigned: 278,
        available: 22,
      },
    ],
    otherSkus: [
      { productName: 'Microsoft 365 E5', usageText: '142 / 150 assigned' },
      { productName: 'Microsoft 365 E3', usageText: '80 / 80 assigned' },
      { productName: 'Microsoft Teams Rooms Pro', usageText: '4 / 10 assigned' },
    ],
    otherSkusMoreText: 'and 4 more SKUs (37 seats assigned)',
    lastSyncText: '22 Nov 2026 15:02 UTC (5 min ago)',
    lastSyncOutcomeText: 'Succeeded',
    lastSyncOutcomeColor: 'Good',
    lastSyncErrorText: '',
    syncRunning: false,
    failedWorkText: '',
    syncScheduleText:
      'Next scheduled sync 22 Nov 2026 18:47 UTC (every 6 h) · 3 failed syncs in a row: retried less often after each (at most 24 h apart) until one succeeds',
    syncScheduleColor: 'Attention',
    reclaimText: '',
    ...overrides,
  };
}

export function statusView(overrides: Partial<TenantStatusView> = {}): StatusView {
  return { tenant: tenantView(overrides) };
}

export function syncStartedView(overrides: Partial<SyncStartedView> = {}): SyncStartedView {
  return {
    tenantId: 'tnt_7f3c2a',
    tenantName: 'Contoso Ltd',
    startedText: 'Started 15:02 UTC',
    joinedRunning: false,
    ...overrides,
  };
}

export function syncResultView(overrides: Partial<SyncResultView> = {}): SyncResultView {
  return {
    tenantId: 'tnt_7f3c2a',
    tenantName: 'Contoso Ltd',
    titleText: 'Sync succeeded',
    outcomeColor: 'Good',
    succeeded: true,
    finishedText: '22 Nov 2026 15:02 UTC',
    durationText: '4.2 s',
    usersSynced: 262,
    licensedUsers: 231,
    skusSynced: 9,
    groupsSynced: 48,
    errorText: '',
    warnings: [],
    ...overrides,
  };
}

export function errorView(overrides: Partial<ErrorView> = {}): ErrorView {
  return {
    title: 'Seat Steward is not allowed to read this tenant',
    message:
      'Microsoft Graph answered 403 Forbidden. Ask a Global Administrator to grant admin consent to Seat Steward, then run sync again.',
    ...overrides,
  };
}

export type JsonObject = Record<string, unknown>;

/** Every object in the card, depth first, so assertions don't depend on exact nesting. */
export function allObjects(node: unknown, into: JsonObject[] = []): JsonObject[] {
  if (Array.isArray(node)) {
    for (const item of node) allObjects(item, into);
  } else if (typeof node === 'object' && node !== null) {
    into.push(node as JsonObject);
    for (const value of Object.values(node)) allObjects(value, into);
  }
  return into;
}

export function textBlocks(card: unknown): JsonObject[] {
  return allObjects(card).filter((o) => o['type'] === 'TextBlock');
}

export function texts(card: unknown): string[] {
  return textBlocks(card).map((o) => String(o['text']));
}

export function findText(card: unknown, text: string): JsonObject | undefined {
  return textBlocks(card).find((o) => o['text'] === text);
}

export function facts(card: unknown): Array<{ title: string; value: string }> {
  return allObjects(card)
    .filter((o) => o['type'] === 'FactSet')
    .flatMap((o) => o['facts'] as Array<{ title: string; value: string }>);
}

export function actions(card: unknown): JsonObject[] {
  return allObjects(card).filter((o) => typeof o['type'] === 'string' && (o['type'] as string).startsWith('Action.'));
}

export function securityView(overrides: Partial<SecurityView> = {}): SecurityView {
  const read = {
    unknown: false,
    reasonText: '',
    color: 'Default' as const,
    asOfText: 'As of 15 Jan 2025 09:30 UTC',
    ratingText: '',
  };
  return {
    tenantName: 'Contoso Ltd',
    generatedText: 'Generated 15 Jan 2025 10:00 UTC',
    components: [
      { title: 'Security defaults', valueText: 'Off', detailText: '', ...read },
      {
        title: 'MFA registration',
        valueText: '87.5%',
        detailText: '700 of 800 enabled member accounts registered MFA',
        ...read,
        ratingText: '22.5 / 30 · good',
      },
      {
        title: 'Conditional access',
        valueText: '3 enforced',
        detailText: '6 policies: 3 on, 2 report-only, 1 off',
        ...read,
        color: 'Warning',
        asOfText: 'Stale: last read 14 Jan 2025 09:30 UTC',
        reasonText:
          'The last read failed: Microsoft Graph refused reading conditional access policies because the tenant lacks Microsoft Entra ID P1.',
      },
      {
        title: 'Identity protection',
        valueText: 'Unknown',
        detailText: '',
        asOfText: '',
        unknown: true,
        color: 'Warning',
        reasonText:
          'Not read: Microsoft Graph refused reading risky users because the tenant lacks Microsoft Entra ID P2.',
        ratingText: '',
      },
      {
        title: 'Device compliance',
        valueText: '93.1%',
        detailText: '700 compliant, 52 not compliant, of 780 managed devices',
        ...read,
      },
      { title: 'Microsoft Secure Score', valueText: '41.2 / 83', detailText: '12 improvement actions', ...read },
    ],
    scoreText: 'Security score 72 / 100',
    scoreDetailText: 'Left out (could not be read): identity protection.',
    recommendations: [
      {
        priorityText: 'High · +12.5 points',
        title: 'Enable MFA for the remaining 100 users',
        description: '100 of 800 enabled member accounts have no MFA method registered.',
        color: 'Attention',
      },
      {
        priorityText: 'Medium · +6.3 points',
        title: 'Turn on 2 report-only conditional access policies',
        description: '2 of 6 policies only report what they would do.',
        color: 'Warning',
      },
    ],
    moreText: 'and 2 more recommendations (GET /security)',
    scoreNote:
      'Score: security defaults 20, MFA 30, conditional access 20, identity protection 15, device compliance 15; over the components that could be read. Secure Score is shown, not scored.',
    ...overrides,
  };
}
