import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Who the Agents Playground says is chatting. Without a config file it sends its own tenant id
 * (`00000000-0000-0000-0000-0000000000001`, not a GUID) and a made-up user, so a bot that admits
 * only its own tenant (a real tenant's default) refuses every message and no one is an admin.
 */
export interface PlaygroundIdentity {
  /** The Teams tenant the Playground's activities name (conversation.tenantId, channelData.tenant.id). */
  tenantId?: string;
  /** The Entra object id of the chatting user (from.aadObjectId). */
  userObjectId?: string;
}

/** The Playground's own defaults (its dist/index.js), kept where the identity does not override them. */
const PLAYGROUND_TENANT = '00000000-0000-0000-0000-0000000000001';
const DEFAULT_USER = {
  id: 'user-id-0',
  name: 'Alex Wilber',
  userPrincipleName: 'alexw@example.com',
  aadObjectId: '00000000-0000-0000-0000-0000000000020',
  givenName: 'Alex',
  surname: 'Wilber',
  email: 'alexw@example.com',
};
// The schema asks for exactly five other members (the group chat's and the team's).
const OTHER_USERS = [
  ['Megan', 'Bowen', 'meganb'],
  ['Adele', 'Vance', 'adelev'],
  ['Isaiah', 'Langer', 'isaiahl'],
  ['Patti', 'Fernandez', 'pattif'],
  ['Lynne', 'Robbins', 'lynner'],
].map(([givenName, surname, alias], i) => ({
  id: `user-id-${i + 1}`,
  name: `${givenName} ${surname}`,
  userPrincipleName: `${alias}@example.com`,
  aadObjectId: `00000000-0000-0000-0000-00000000000${21 + i}`,
  givenName,
  surname,
  email: `${alias}@example.com`,
}));

/**
 * The Playground's config file (`.m365agentsplayground.yml` format, version 0.1.1). YAML is a
 * superset of JSON, so it is written as JSON: no YAML writer, and no quoting to get wrong.
 * ("userPrincipleName" is the Playground's own spelling.)
 */
export function playgroundConfig(
  identity: PlaygroundIdentity,
  personalChatId: string = randomUUID(),
): Record<string, unknown> {
  const currentUser = identity.userObjectId
    ? {
        ...DEFAULT_USER,
        // Not one of the tenant's names: the bot looks the person up by object id.
        name: 'Playground user',
        userPrincipleName: `${identity.userObjectId}@playground.invalid`,
        aadObjectId: identity.userObjectId,
        givenName: 'Playground',
        surname: 'user',
        email: `${identity.userObjectId}@playground.invalid`,
      }
    : DEFAULT_USER;
  return {
    version: '0.1.1',
    tenantId: identity.tenantId ?? PLAYGROUND_TENANT,
    // The Playground's own bot name: the browser suite @mentions "Test Bot".
    bot: { id: '00000000-0000-0000-0000-00000000000011', name: 'Test Bot' },
    currentUser,
    users: OTHER_USERS,
    personalChat: { id: personalChatId },
    groupChat: { id: `group-chat-${randomUUID()}`, name: 'Group Chat' },
    team: {
      id: 'team-id',
      name: 'My Team',
      aadGroupId: '00000000-0000-0000-0000-000000000031',
      channels: [{ id: 'channel-announcements-id', name: 'Announcements' }],
    },
  };
}

/** Writes the config file in `dir` (DATA_DIR: private, and never a file the user keeps in the repository) and returns its path. */
export function writePlaygroundConfig(
  dir: string,
  identity: PlaygroundIdentity,
  fileName = 'agents-playground.yml',
): string {
  const file = path.join(dir, fileName);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(playgroundConfig(identity), null, 2)}\n`, { mode: 0o600 });
  return file;
}
