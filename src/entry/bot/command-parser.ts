/** Text commands the bot understands; parsing is pure so every spelling is testable. */

export type CommandName =
  | 'help'
  | 'status'
  | 'sync'
  | 'check'
  | 'usage'
  | 'security'
  | 'audit'
  | 'digest'
  | 'price'
  | 'savings'
  | 'departments'
  | 'inactive'
  | 'candidates'
  | 'reclaim'
  | 'portfolio'
  | 'consent';

/**
 * The order `help` lists the commands in: what the product is for first (idle seats, who should get
 * one, the money, taking seats back, the daily digest), then the tenant's state, then the plumbing.
 */
export const COMMAND_ORDER: readonly CommandName[] = [
  'inactive',
  'candidates',
  'savings',
  'departments',
  'reclaim',
  'digest',
  'portfolio',
  'status',
  'usage',
  'security',
  'price',
  'sync',
  'check',
  'consent',
  'audit',
  'help',
];

export interface ParsedCommand {
  name: CommandName | 'unknown';
  /** What followed the command word, e.g. a tenant name for "status contoso". */
  argument: string;
  /** The text as typed, mentions removed; for the hint on unknown input. */
  text: string;
}

const ALIASES: Partial<Record<string, CommandName>> = {
  help: 'help',
  '?': 'help',
  commands: 'help',
  status: 'status',
  seats: 'status',
  sync: 'sync',
  refresh: 'sync',
  check: 'check',
  permissions: 'check',
  usage: 'usage',
  security: 'security',
  posture: 'security',
  audit: 'audit',
  digest: 'digest',
  price: 'price',
  prices: 'price',
  savings: 'savings',
  departments: 'departments',
  department: 'departments',
  chargeback: 'departments',
  reclaim: 'reclaim',
  inactive: 'inactive',
  idle: 'inactive',
  candidates: 'candidates',
  portfolio: 'portfolio',
  consent: 'consent',
  msp: 'portfolio',
};

export function parseCommand(raw: string | undefined): ParsedCommand {
  const text = (raw ?? '')
    // Teams puts <at>Bot</at> in the text of channel messages; teams-ai removes the bot's own mention, others may remain.
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const [first = '', ...rest] = text.split(' ');
  const name = ALIASES[first.toLowerCase().replace(/^\//, '')] ?? 'unknown';
  return { name, argument: name === 'unknown' ? '' : rest.join(' '), text };
}

/**
 * The commands unknown text most likely meant, best first: a word that is a command (or alias),
 * begins one or is begun by one ("cand", "reclaiming"), or is a typo of one (optimal string
 * alignment distance: an edit or a swap of neighbours counts 1; at most 1 for words of up to 4
 * letters, 2 above). Ties go to the product's commands (COMMAND_ORDER). Empty when nothing fits.
 */
export function suggestCommands(text: string, max = 3): CommandName[] {
  const words = text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w.length >= 2);
  // The command is the first word: a typo there ("recliam 3 seats") wins over a command word later on.
  const [first = '', ...rest] = words;
  const fromFirst = closest([first]);
  return (fromFirst.length > 0 ? fromFirst : closest(rest)).slice(0, max);
}

function closest(words: readonly string[]): CommandName[] {
  const best = new Map<CommandName, number>();
  for (const word of words) {
    if (!word) continue;
    for (const [alias, name] of Object.entries(ALIASES)) {
      if (!name || alias.length < 2) continue;
      let score: number | undefined;
      if (word === alias) score = 0;
      else if (word.length >= 3 && (alias.startsWith(word) || word.startsWith(alias))) score = 1;
      else {
        const distance = editDistance(word, alias);
        if (distance <= (Math.min(word.length, alias.length) <= 4 ? 1 : 2)) score = 1 + distance;
      }
      if (score !== undefined && score < (best.get(name) ?? Infinity)) best.set(name, score);
    }
  }
  return [...best.entries()]
    .sort(([a, sa], [b, sb]) => sa - sb || COMMAND_ORDER.indexOf(a) - COMMAND_ORDER.indexOf(b))
    .map(([name]) => name);
}

/** Levenshtein distance where swapping two neighbouring letters also costs 1 (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
