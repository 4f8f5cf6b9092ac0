import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignedExportLinks } from '../../src/adapters/secrets/signed-export-links';

const KEY = Buffer.alloc(32, 7);
const links = new SignedExportLinks({ baseUrl: () => 'https://steward.example.com/', linkMs: 10 * 60_000, key: KEY });
const NOW = new Date('2026-11-23T09:00:00Z');
const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
/** A token signed with the right key over any payload: what a leaked key would allow, to test the payload checks alone. */
const signed = (payload: string) => {
  const p = Buffer.from(payload, 'utf8').toString('base64url');
  return `${p}.${createHmac('sha256', KEY).update(p).digest('base64url')}`;
};

describe('signed export links', () => {
  it('link under PUBLIC_BASE_URL, valid until it expires', () => {
    const { url, expiresAt } = links.link('t-1', 'candidates', NOW);
    expect(url.startsWith('https://steward.example.com/exports/')).toBe(true);
    expect(expiresAt).toBe('2026-11-23T09:10:00.000Z');
    expect(links.check(tokenOf(url), new Date('2026-11-23T09:09:59Z'))).toMatchObject({
      ok: true,
      tenantId: 't-1',
      kind: 'candidates',
    });
    expect(links.check(tokenOf(url), new Date('2026-11-23T09:10:00Z'))).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('another process (another key) does not accept the link', () => {
    const other = new SignedExportLinks({ baseUrl: () => 'http://x', linkMs: 60_000 });
    const { url } = other.link('t-1', 'candidates', NOW);
    expect(links.check(tokenOf(url), NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('a signed but unknown kind, missing tenant or bad expiry is malformed', () => {
    expect(links.check(signed(`t-1\nusers\n${NOW.getTime() + 1000}`), NOW)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
    expect(links.check(signed(`\ncandidates\n${NOW.getTime() + 1000}`), NOW)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
    expect(links.check(signed('t-1\ncandidates\nsoon'), NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(links.check(signed(`t-1\ncandidates\n${NOW.getTime() + 1000}\nextra`), NOW)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it('an expired link whose signature is wrong is refused for the signature', () => {
    const { url } = links.link('t-1', 'underutilized', new Date('2020-01-01T00:00:00Z'));
    const token = tokenOf(url);
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(links.check(tampered, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });
});
