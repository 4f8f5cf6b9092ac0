import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'restify';
import { ApiError } from './api-errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Bearer API keys from API_KEYS. Keys are compared as SHA-256 digests in constant time,
 * so neither a key's length nor its prefix leaks through response timing.
 */
export function apiKeyGuard(apiKeys: readonly string[]): (req: Request) => void {
  const allowed = apiKeys.map(digest);
  return (req) => {
    if (allowed.length === 0) {
      throw new ApiError(
        401,
        'api_disabled',
        'The REST API has no keys configured. Set API_KEYS (comma-separated, 16+ characters each) and restart Seat Steward.',
      );
    }
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match)
      throw new ApiError(
        401,
        'unauthorized',
        'Missing API key: send "Authorization: Bearer <key>" with one of the keys in API_KEYS.',
      );
    const given = digest(match[1]);
    if (!allowed.some((key) => timingSafeEqual(key, given)))
      throw new ApiError(401, 'unauthorized', 'Invalid API key.');
  };
}
