import { describe, expect, it } from 'vitest';
import { clip, graphemesOf } from '../../src/domain/text';

describe('clip', () => {
  it('leaves text within the limit alone', () => {
    expect(clip('Contoso', 7)).toBe('Contoso');
    expect(clip('', 3)).toBe('');
  });

  it('cuts to max - 1 characters and an ellipsis', () => {
    expect(clip('abcdefgh', 5)).toBe('abcd…');
  });

  it('never splits a surrogate-pair emoji', () => {
    const cut = clip('ab😀😀😀', 4);
    expect(cut).toBe('ab😀…');
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut)).toBe(false);
  });

  it('keeps a ZWJ family, a flag and a skin tone whole', () => {
    const family = '👩‍👩‍👧‍👦';
    const flag = '🇫🇷';
    const thumb = '👍🏽';
    expect(clip(`${family}${flag}${thumb}x`, 3)).toBe(`${family}${flag}…`);
    expect(graphemesOf(`${family}${flag}${thumb}`)).toEqual([family, flag, thumb]);
  });

  it('keeps a letter with its combining mark', () => {
    // "e" + U+0301 COMBINING ACUTE ACCENT is one character on screen.
    const e = 'e\u0301';
    expect(clip(`${e}${e}${e}${e}`, 3)).toBe(`${e}${e}…`);
    expect(clip(`${e}${e}${e}`, 3)).toBe(`${e}${e}${e}`);
  });

  it('counts characters, not UTF-16 units, against the limit', () => {
    // Six UTF-16 units, three characters: within a limit of 3.
    expect(clip('😀😀😀', 3)).toBe('😀😀😀');
  });
});
