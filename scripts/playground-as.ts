/**
 * A second Agents Playground chatting as another person, next to a running `npm start`: the
 * Playground has no way to switch users, and the reclaim's two-person rule needs a second one
 * to approve. `npm run playground:as -- <Entra object id> [port]`.
 */
import { createLogger } from '../src/adapters/logging/logger';
import { openInBrowser, startAgentsPlayground } from '../src/adapters/playground/agents-playground';
import { ConfigError, loadConfig } from '../src/config/config';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function run(): Promise<void> {
  const [user, port] = process.argv.slice(2);
  if (!user || !GUID.test(user) || (port !== undefined && !/^\d+$/.test(port))) {
    throw new Error(
      'usage: npm run playground:as -- <Entra object id of the person to chat as> [Playground port, default 56151]',
    );
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const playground = await startAgentsPlayground({
    botPort: config.port,
    port: Number(port ?? 56151),
    logger,
    configDir: config.dataDir,
    configFileName: `agents-playground-${user.toLowerCase()}.yml`,
    identity: { tenantId: config.playground.tenantId, userObjectId: user.toLowerCase() },
    listenHost: config.listenHost,
  });
  console.log(`Playground as ${user} (bot on port ${config.port})  ${playground.url}  <- open this; Ctrl+C stops it`);
  openInBrowser(playground.url, logger);
  const stop = () => void playground.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

run().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
