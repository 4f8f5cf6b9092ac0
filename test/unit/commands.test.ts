import { describe, expect, it } from 'vitest';
import { editDistance, parseCommand, suggestCommands } from '../../src/entry/bot/command-parser';

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

describe('suggestCommands (unknown text)', () => {
  it.each([
    ['inactve', ['inactive']],
    ['recliam 3 seats', ['reclaim']],
    ['savngs', ['savings']],
    ['cand', ['candidates']],
    ['show me the idle seats', ['inactive', 'status']],
    ['reclaiming', ['reclaim']],
    ['digets now', ['digest']],
    ['sycn', ['sync']],
  ])('%j -> %j', (text, expected) => {
    expect(suggestCommands(text)).toEqual(expected);
  });

  it('suggests nothing for text that fits no command', () => {
    expect(suggestCommands('reassign everything please')).toEqual([]);
    expect(suggestCommands('')).toEqual([]);
    expect(suggestCommands('hello there')).toEqual([]);
  });

  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('recliam', 'reclaim')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
