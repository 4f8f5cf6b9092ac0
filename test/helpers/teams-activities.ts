import { randomUUID } from 'node:crypto';

/** Bot Framework activities shaped as Microsoft Teams sends them. */

export const TEAMS_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const BOT = { id: '28:seat-steward-bot', name: 'Seat Steward' };
export const ADMIN = { id: '29:admin-user', name: 'Alex Admin', aadObjectId: 'c1a7e2b4-0f1d-4a3e-9b5c-6d7e8f9a0b1c' };

export type Scope = 'personal' | 'groupChat' | 'channel';

export interface ConversationShape {
  scope: Scope;
  conversationId: string;
  teamId?: string;
}

export function personal(id = `a:personal-${randomUUID()}`): ConversationShape {
  return { scope: 'personal', conversationId: id };
}

export function channel(teamId = `19:team-${randomUUID()}@thread.tacv2`): ConversationShape {
  return { scope: 'channel', conversationId: teamId, teamId };
}

export function groupChat(id = `19:group-${randomUUID()}@thread.v2`): ConversationShape {
  return { scope: 'groupChat', conversationId: id };
}

function base(serviceUrl: string, c: ConversationShape) {
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: ADMIN,
    recipient: BOT,
    conversation: {
      id: c.conversationId,
      conversationType: c.scope,
      tenantId: TEAMS_TENANT,
      ...(c.scope === 'personal' ? {} : { isGroup: true }),
    },
    channelData: {
      tenant: { id: TEAMS_TENANT },
      ...(c.teamId
        ? { team: { id: c.teamId, name: 'IT Admins' }, channel: { id: c.conversationId, name: 'General' } }
        : {}),
    },
    locale: 'en-US',
  };
}

export function message(serviceUrl: string, c: ConversationShape, text: string) {
  const mention = c.scope === 'personal' ? '' : `<at>${BOT.name}</at> `;
  return {
    ...base(serviceUrl, c),
    type: 'message',
    text: `${mention}${text}`,
    textFormat: 'plain',
    entities: mention ? [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT }] : [],
  };
}

export function botAdded(serviceUrl: string, c: ConversationShape) {
  return {
    ...base(serviceUrl, c),
    type: 'conversationUpdate',
    membersAdded: [BOT],
    channelData: { ...base(serviceUrl, c).channelData, ...(c.teamId ? { eventType: 'teamMemberAdded' } : {}) },
  };
}

export function botRemoved(serviceUrl: string, c: ConversationShape) {
  return {
    ...base(serviceUrl, c),
    type: 'conversationUpdate',
    membersRemoved: [BOT],
    channelData: { ...base(serviceUrl, c).channelData, ...(c.teamId ? { eventType: 'teamMemberRemoved' } : {}) },
  };
}

export function installationUpdate(serviceUrl: string, c: ConversationShape, action: 'add' | 'remove') {
  return { ...base(serviceUrl, c), type: 'installationUpdate', action };
}

export function cardAction(serviceUrl: string, c: ConversationShape, verb: string, data: unknown) {
  return {
    ...base(serviceUrl, c),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

export async function post(botUrl: string, activity: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof activity === 'string' ? activity : JSON.stringify(activity),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text.
  }
  return { status: res.status, body };
}
