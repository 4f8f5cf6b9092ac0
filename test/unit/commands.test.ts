import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/entry/bot/command-parser';

describe('parseCommand', () => {
  it.each([
    ['help', 'help', ''],
    ['HELP', 'help', ''],
    ['  Status  ', 'status', ''],
    ['status contoso', 'status', 'contoso'],
    ['<at>Seat Steward</at> sync', 'sync', ''],
    ['<at>Seat Steward</at>&nbsp;Sync Contoso Ltd', 'sync', 'Contoso Ltd'],
    ['/status', 'status', ''],
    ['refresh', 'sync', ''],
    ['?', 'help', ''],
  ])('%j -> %s', (text, name, argument) => {
    expect(parseCommand(text)).toMatchObject({ name, argument });
  });

  it('keeps unknown text for the hint and copes with no text at all', () => {
    expect(parseCommand('reassign everything')).toEqual({ name: 'unknown', argument: '', text: 'reassign everything' });
    expect(parseCommand(undefined)).toEqual({ name: 'unknown', argument: '', text: '' });
    expect(parseCommand('<at>Seat Steward</at>')).toEqual({ name: 'unknown', argument: '', text: '' });
  });
});
