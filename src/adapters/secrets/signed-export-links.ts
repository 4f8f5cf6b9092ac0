import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { EXPORT_KINDS, type ExportKind, type ExportTokenCheck } from '../../domain/seat-records';
import type { ExportLinks } from '../../usecases/analytics/ports';

/** Longer than any token link() makes; anything longer is refused before it is decoded. */
const MAX_TOKEN_LENGTH = 512;

/**
 * Download links for the CSV exports: `<base>/exports/<payload>.<signature>`, the payload being
 * tenant id, kind and expiry, the signature HMAC-SHA256 over it with a key made at start-up. The key
 * is never stored, so links die with a restart; they live minutes, and a fresh card gives a fresh one.
 */
export class SignedExportLinks implements ExportLinks {
  private readonly key: Buffer;

  constructor(private readonly options: { baseUrl: () => string; linkMs: number; key?: Buffer }) {
    this.key = options.key ?? randomBytes(32);
  }

  link(tenantId: string, kind: ExportKind, now: Date): { url: string; expiresAt: string } {
    const expiresAt = new Date(now.getTime() + this.options.linkMs);
    const payload = Buffer.from(`${tenantId}\n${kind}\n${expiresAt.getTime()}`, 'utf8').toString('base64url');
    const token = `${payload}.${this.sign(payload).toString('base64url')}`;
    return {
      url: `${this.options.baseUrl().replace(/\/+$/, '')}/exports/${token}`,
      expiresAt: expiresAt.toISOString(),
    };
  }

  /** Never throws: whatever arrives in the path is answered with a reason. */
  check(token: string, now: Date): ExportTokenCheck {
    const malformed = {
      ok: false,
      reason: 'malformed',
      message: 'This is not a Seat Steward export link. Open the Export CSV button of a fresh card.',
    } as const;
    if (token.length > MAX_TOKEN_LENGTH) return malformed;
    const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return malformed;
    const [, payload, signature] = match;
    const given = Buffer.from(signature, 'base64url');
    const expected = this.sign(payload);
    // Constant time, so the signature cannot be guessed a byte at a time from response times.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return {
        ok: false,
        reason: 'bad_signature',
        message:
          'This export link is not valid: it was changed, or Seat Steward restarted since it was made. Open the Export CSV button of a fresh card.',
      };
    }
    const [tenantId, kind, expiry, ...extra] = Buffer.from(payload, 'base64url').toString('utf8').split('\n');
    const expiresAt = new Date(Number(expiry));
    if (
      extra.length > 0 ||
      !tenantId ||
      !isExportKind(kind) ||
      !/^\d+$/.test(expiry ?? '') ||
      Number.isNaN(expiresAt.getTime())
    )
      return malformed;
    if (now.getTime() >= expiresAt.getTime()) {
      return {
        ok: false,
        reason: 'expired',
        message: `This export link expired at ${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; links last minutes. Open the Export CSV button of a fresh card.`,
      };
    }
    return { ok: true, tenantId, kind, expiresAt };
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload, 'utf8').digest();
  }
}

function isExportKind(kind: string | undefined): kind is ExportKind {
  return (EXPORT_KINDS as readonly string[]).includes(kind ?? '');
}
