import pino, { type Logger } from 'pino';

export type { Logger };

/** Longest string logged as-is; request data (a card verb, an id, a search) can be any size. */
const MAX_STRING = 500;
/** Stack traces are ours and worth keeping whole, within reason. */
const MAX_STACK = 4000;
const MAX_ITEMS = 50;
const MAX_DEPTH = 8;

function clipString(value: string, max: number): string {
  if (value.length <= max) return value;
  return `${value.slice(0, max)}…[clipped ${value.length - max} of ${value.length} characters]`;
}

/**
 * A copy of a log object with long strings, long arrays, wide objects and deep nesting cut down,
 * each cut marked with how much was dropped, so one request cannot write a 100 KB log line.
 */
export function clipForLog(value: unknown, key = '', depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return clipString(value, key === 'stack' ? MAX_STACK : MAX_STRING);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return clipForLog(pino.stdSerializers.err(value), key, depth, seen);
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[clipped: nested too deep]';
  seen.add(value);
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => clipForLog(item, '', depth + 1, seen));
    if (value.length > MAX_ITEMS) items.push(`…[clipped ${value.length - MAX_ITEMS} of ${value.length} items]`);
    return items;
  }
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (const k of keys.slice(0, MAX_ITEMS))
    out[clipString(k, 100)] = clipForLog((value as Record<string, unknown>)[k], k, depth + 1, seen);
  if (keys.length > MAX_ITEMS) out['…'] = `[clipped ${keys.length - MAX_ITEMS} of ${keys.length} keys]`;
  return out;
}

/** JSON logs on stdout (pino), secrets redacted wherever a config or header object is logged, request data clipped. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'seat-steward' },
      formatters: { log: (object) => clipForLog(object) as Record<string, unknown> },
      // formatters.log has already turned errors into clipped plain objects; pino's own err serializer would re-type them.
      serializers: { err: (value: unknown) => (value instanceof Error ? clipForLog(value) : value) },
      hooks: {
        logMethod(args, method) {
          // The message (and any printf arguments) can carry request data too.
          const clipped = args.map((arg) =>
            typeof arg === 'string' ? clipString(arg, MAX_STRING * 2) : arg,
          ) as typeof args;
          return method.apply(this, clipped);
        },
      },
      // Secrets live in the config's bot and tenant credential objects; these paths cover them wherever a config is logged.
      redact: [
        'password',
        'secret',
        '*.password',
        '*.secret',
        '*.*.password',
        '*.*.secret',
        '*.*.*.secret',
        '*.clientSecret',
        '*.SECRET_CLIENT_SECRET',
        '*.SECRET_BOT_PASSWORD',
        '*.apiKeys',
        'apiKeys',
        // SECRET_STORE_KEY seals stored client secrets; ciphertexts are no use without it, but logs are no place for them either.
        'SECRET_STORE_KEY',
        'SECRET_STORE_KEY_PREVIOUS',
        '*.SECRET_STORE_KEY',
        '*.SECRET_STORE_KEY_PREVIOUS',
        'secrets',
        '*.secrets',
        'ciphertext',
        '*.ciphertext',
        '*.*.ciphertext',
        'secret_ciphertext',
        '*.secret_ciphertext',
      ],
    },
    destination,
  );
}
