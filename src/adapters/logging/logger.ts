import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout (pino), secrets redacted wherever a config or header object is logged. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'seat-steward' },
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
