import type { Activity, TurnContext } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter } from '../src/adapters/teams/teams-adapter';
import { ConnectorRecorder } from './helpers/connector-recorder';
import { message, personal } from './helpers/teams-activities';

/**
 * The Teams adapter's inbound side on its own (anonymous mode, as the Agents Playground and the
 * benches talk to it): real turns whose replies reach a local connector.
 */
let connectors: ConnectorRecorder[];
let urls: string[];

beforeAll(async () => {
  connectors = [new ConnectorRecorder(), new ConnectorRecorder()];
  urls = await Promise.all(connectors.map((c) => c.start()));
});

afterAll(async () => {
  await Promise.all(connectors.map((c) => c.stop()));
});

/** The activity as the HTTP layer hands it over (dates parsed, as bot-app's withDates does). */
function inbound(serviceUrl: string, text: string): Activity {
  const raw = message(serviceUrl, personal(), text);
  return { ...raw, timestamp: new Date(raw.timestamp) } as unknown as Activity;
}

describe('connector clients', () => {
  it('keeps one connector client per service URL and one user token client across turns, and every reply still arrives', async () => {
    const adapter = createTeamsAdapter({ mode: 'anonymous' });
    const clients: unknown[] = [];
    const tokenClients: unknown[] = [];
    const turn = async (serviceUrl: string, text: string) => {
      const outcome = await adapter.processTurn(inbound(serviceUrl, text), '', async (context: TurnContext) => {
        clients.push(context.turnState.get(adapter.ConnectorClientKey));
        tokenClients.push(context.turnState.get(adapter.UserTokenClientKey));
        await context.sendActivity(`echo ${text}`);
      });
      expect(outcome).toMatchObject({ kind: 'answered', status: 200 });
    };
    await turn(urls[0], 'one');
    await turn(urls[0], 'two');
    await turn(urls[1], 'three');
    await turn(urls[0], 'four');

    // Building a client is a whole HTTP pipeline: the turns to one connector share it.
    expect(clients[0]).toBeDefined();
    expect(clients[1]).toBe(clients[0]);
    expect(clients[3]).toBe(clients[0]);
    // Another service URL gets its own client, posting to that connector.
    expect(clients[2]).not.toBe(clients[0]);
    // The user token client depends on the bot's app id only.
    expect(tokenClients[0]).toBeDefined();
    expect(new Set(tokenClients).size).toBe(1);
    expect(connectors[0].messages().map((m) => m.activity.text)).toEqual(['echo one', 'echo two', 'echo four']);
    expect(connectors[1].messages().map((m) => m.activity.text)).toEqual(['echo three']);
  });
});
