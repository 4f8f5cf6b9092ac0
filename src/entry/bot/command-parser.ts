/** Text commands the bot understands; parsing is pure so every spelling is testable. */

export type CommandName = 'help' | 'status' | 'sync' | 'check' | 'usage' | 'security' | 'audit' | 'digest' | 'price' | 'savings' | 'inactive' | 'candidates' | 'reclaim';

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
  reclaim: 'reclaim',
  inactive: 'inactive',
  idle: 'inactive',
  candidates: 'candidates',
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
