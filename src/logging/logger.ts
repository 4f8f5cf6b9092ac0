import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout (pino), secrets redacted wherever a config or header object is logged. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'seat-steward' },
      redact: ['*.password', '*.secret', '*.clientSecret', 'req.headers.authorization', '*.SECRET_CLIENT_SECRET', '*.SECRET_BOT_PASSWORD'],
    },
    destination,
  );
}
