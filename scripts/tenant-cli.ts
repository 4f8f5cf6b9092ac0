/**
 * `npm run tenant -- <add|list|remove> ...`: adds a customer tenant to a running Seat Steward
 * without writing JWE by hand. It fetches the server's public key, encrypts the app id and the
 * client secret to it (JWE, ECDH-ES + A256GCM, with jose) and posts them, so the secret never
 * travels or is logged in clear text. The secret comes from a file or from a prompt (or piped
 * stdin), never from the command line, where it would land in the shell history.
 */
import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { CompactEncrypt, importJWK, type JWK } from 'jose';

export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

const USAGE = `usage:
  npm run tenant -- add --tenant-id <Microsoft tenant id> --name <tenant name> --domain <primary domain>
      --client-id <your customer's id (UUID)> --app-id <app registration's Application (client) ID>
      [--secret-file <file with the client secret> | the secret is asked for, or read from piped stdin]
      [--sync-interval <hours, 1-168>] [--no-sync] [--graph-endpoint <https URL>] [--authority-host <https URL>]
      [--url http://localhost:3978] [--api-key <key> | SEAT_STEWARD_API_KEY]
  npm run tenant -- list [--client-id <UUID>] [--url ...] [--api-key ...]
  npm run tenant -- remove --tenant-id <Microsoft or Seat Steward tenant id> [--url ...] [--api-key ...]`;

class UsageError extends Error {}

const options = {
  'tenant-id': { type: 'string' },
  name: { type: 'string' },
  domain: { type: 'string' },
  'client-id': { type: 'string' },
  'app-id': { type: 'string' },
  'secret-file': { type: 'string' },
  'sync-interval': { type: 'string' },
  'no-sync': { type: 'boolean' },
  'graph-endpoint': { type: 'string' },
  'authority-host': { type: 'string' },
  url: { type: 'string' },
  'api-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs one command; resolves with the process exit code (0 when the server answered 2xx). */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    const [command, ...extra] = positionals;
    if (values.help || !command) {
      io.stdout.write(`${USAGE}\n`);
      return values.help ? 0 : 2;
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (!['add', 'list', 'remove'].includes(command))
      throw new UsageError(`unknown command "${command}" (add, list or remove)`);
    const server = new Server(values.url ?? 'http://localhost:3978', values['api-key'] ?? io.env.SEAT_STEWARD_API_KEY);
    let answer: { status: number; body: unknown };
    switch (command) {
      case 'add':
        answer = await add(server, values, io);
        break;
      case 'list':
        answer = await server.call(
          'GET',
          `/api/v1/m365/tenants?limit=100${values['client-id'] ? `&client_id=${encodeURIComponent(values['client-id'])}` : ''}`,
        );
        break;
      case 'remove': {
        const id = required(values, 'tenant-id');
        answer = await server.call(
          'DELETE',
          `/api/v1/m365/tenants/${encodeURIComponent(id)}?confirm=${encodeURIComponent(id)}`,
        );
        break;
      }
      default:
        throw new UsageError(`unknown command "${command}" (add, list or remove)`);
    }
    const ok = answer.status >= 200 && answer.status < 300;
    (ok ? io.stdout : io.stderr).write(`${JSON.stringify(answer.body, null, 2)}\n`);
    if (!ok) io.stderr.write(`Seat Steward answered ${answer.status}.\n`);
    return ok ? 0 : 1;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage ? `${USAGE}\n` : ''}`);
    return usage ? 2 : 1;
  }
}

type Values = { [K in keyof typeof options]?: (typeof options)[K]['type'] extends 'boolean' ? boolean : string };

function required(values: Values, name: keyof Values): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value.trim();
}

async function add(server: Server, values: Values, io: CliIo): Promise<{ status: number; body: unknown }> {
  const body: Record<string, unknown> = {
    client_id: required(values, 'client-id'),
    tenant_id: required(values, 'tenant-id'),
    tenant_name: required(values, 'name'),
    domain_name: required(values, 'domain'),
    sync_enabled: values['no-sync'] !== true,
  };
  const appId = required(values, 'app-id');
  if (values['sync-interval'] !== undefined) {
    if (!/^\d+$/.test(values['sync-interval'])) throw new UsageError('--sync-interval: expected whole hours, 1 to 168');
    body.sync_interval_hours = Number(values['sync-interval']);
  }
  if (values['graph-endpoint']) body.graph_endpoint = values['graph-endpoint'];
  if (values['authority-host']) body.authority_host = values['authority-host'];
  const secret = values['secret-file'] ? readSecretFile(values['secret-file']) : await readSecret(io);
  if (secret === '') throw new UsageError('the client secret is empty');
  const key = await server.encryptionKey();
  body.client_id_encrypted = await encrypt(appId, key);
  body.client_secret_encrypted = await encrypt(secret, key);
  return server.call('POST', '/api/v1/m365/tenants', body);
}

function readSecretFile(file: string): string {
  try {
    // One trailing newline is the editor's, not the secret's.
    return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new Error(`cannot read the secret file ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** A prompt with no echo on a terminal; piped stdin is read whole. */
async function readSecret(io: CliIo): Promise<string> {
  const { stdin } = io;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  io.stderr.write('Client secret (not shown): ');
  stdin.setRawMode?.(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: Buffer) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n') {
            stdin.off('data', onData);
            io.stderr.write('\n');
            return resolve(typed);
          }
          if (char === '\u0003') {
            stdin.off('data', onData);
            return reject(new Error('cancelled'));
          }
          if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
          else typed += char;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode?.(false);
    stdin.pause();
  }
}

/** Encrypts one credential to the server's public key (JWE compact, ECDH-ES + A256GCM, naming its kid); bench:msp adds its tenants with it too. */
export async function encrypt(value: string, key: JWK): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(value))
    .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', kid: key.kid })
    .encrypt(await importJWK(key, 'ECDH-ES'));
}

class Server {
  private readonly base: string;

  constructor(
    url: string,
    private readonly apiKey: string | undefined,
  ) {
    if (!/^https?:\/\//.test(url)) throw new UsageError(`--url: expected http(s)://host:port, got "${url}"`);
    if (!apiKey) throw new UsageError('an API key is required: --api-key, or SEAT_STEWARD_API_KEY (one of API_KEYS)');
    this.base = url.replace(/\/+$/, '');
  }

  async encryptionKey(): Promise<JWK> {
    const answer = await this.call('GET', '/api/v1/m365/encryption-key');
    const key = answer.body as JWK & { error?: { message?: string } };
    if (answer.status !== 200 || key.alg !== 'ECDH-ES')
      throw new Error(
        `cannot fetch the server's encryption key (${answer.status}): ${key.error?.message ?? 'not an ECDH-ES key; is this Seat Steward?'}`,
      );
    return key;
  }

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, a DNS failure...) is its cause.
      const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new Error(`cannot reach Seat Steward at ${this.base}: ${cause}`, { cause: error });
    }
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      return { status: res.status, body: text };
    }
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
