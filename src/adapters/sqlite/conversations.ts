import type { ConversationRegistry, ConversationType, InstalledConversation } from '../../usecases/notify/ports';
import type { ConversationTarget } from '../../domain/conversation';
import type { Db } from './database';
import { prepared } from './prepared';

export type { ConversationType };

export interface ConversationRecord {
  conversationId: string;
  /** The Entra tenant the Teams conversation lives in. */
  entraTenantId: string | null;
  conversationType: ConversationType;
  name: string | null;
  teamId: string | null;
  serviceUrl: string;
  reference: ConversationTarget;
  active: boolean;
  installedAt: string;
  updatedAt: string;
  deactivatedAt: string | null;
}

interface ConversationRow {
  conversation_id: string;
  tenant_id: string | null;
  conversation_type: ConversationType;
  name: string | null;
  team_id: string | null;
  service_url: string;
  reference: string;
  active: number;
  installed_at: string;
  updated_at: string;
  deactivated_at: string | null;
}

const toRecord = (r: ConversationRow): ConversationRecord => ({
  conversationId: r.conversation_id,
  entraTenantId: r.tenant_id,
  conversationType: r.conversation_type,
  name: r.name,
  teamId: r.team_id,
  serviceUrl: r.service_url,
  reference: JSON.parse(r.reference) as ConversationTarget,
  active: r.active === 1,
  installedAt: r.installed_at,
  updatedAt: r.updated_at,
  deactivatedAt: r.deactivated_at,
});

function personOf(reference: ConversationTarget): string | null {
  const user = reference.user as { aadObjectId?: unknown } | undefined;
  return typeof user?.aadObjectId === 'string' && user.aadObjectId !== '' ? user.aadObjectId.toLowerCase() : null;
}

/** Where the bot may post proactively (digests, sync results): one row per chat or channel it is installed in. */
export class ConversationStore implements ConversationRegistry {
  constructor(private readonly db: Db) {}

  /** Upserts and (re)activates: a reinstall after an uninstall must resume posting. */
  save(input: InstalledConversation): void {
    const now = new Date().toISOString();
    prepared(
      this.db,
      `INSERT INTO conversations (conversation_id, tenant_id, conversation_type, name, team_id, service_url, reference, user_aad_object_id, active, installed_at, updated_at)
         VALUES (@id, @tenant, @type, @name, @team, @url, @ref, @user, 1, @now, @now)
         ON CONFLICT (conversation_id) DO UPDATE SET
           tenant_id = excluded.tenant_id, conversation_type = excluded.conversation_type,
           user_aad_object_id = COALESCE(excluded.user_aad_object_id, conversations.user_aad_object_id),
           name = COALESCE(excluded.name, conversations.name), team_id = COALESCE(excluded.team_id, conversations.team_id),
           service_url = excluded.service_url, reference = excluded.reference, active = 1, updated_at = excluded.updated_at,
           installed_at = CASE WHEN conversations.active = 1 THEN conversations.installed_at ELSE excluded.installed_at END,
           deactivated_at = NULL`,
    ).run({
      id: input.conversationId,
      tenant: input.entraTenantId,
      type: input.conversationType,
      name: input.name,
      team: input.teamId,
      url: input.serviceUrl,
      ref: JSON.stringify(input.reference),
      // A personal chat belongs to one person: the reclaim nudge finds it by their object id.
      user: input.conversationType === 'personal' ? personOf(input.reference) : null,
      now,
    });
  }

  /** Uninstalling from a team removes the bot from all its channels, hence the team id. */
  deactivate(match: { conversationId?: string; teamId?: string }): number {
    const now = new Date().toISOString();
    return prepared(
      this.db,
      `UPDATE conversations SET active = 0, deactivated_at = @now, updated_at = @now
         WHERE active = 1 AND (conversation_id = @id OR (@team IS NOT NULL AND team_id = @team))`,
    ).run({ now, id: match.conversationId ?? null, team: match.teamId ?? null }).changes;
  }

  get(conversationId: string): ConversationRecord | undefined {
    const row = prepared(this.db, 'SELECT * FROM conversations WHERE conversation_id = ?').get(conversationId) as
      ConversationRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** The bot's personal chat with this person (Entra object id), if they installed it or wrote to it. */
  personalChatOf(aadObjectId: string): ConversationRecord | undefined {
    const row = prepared(
      this.db,
      `SELECT * FROM conversations WHERE user_aad_object_id = ? AND conversation_type = 'personal' AND active = 1 ORDER BY updated_at DESC LIMIT 1`,
    ).get(aadObjectId.toLowerCase()) as ConversationRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  listActive(): ConversationRecord[] {
    return (
      prepared(this.db, 'SELECT * FROM conversations WHERE active = 1 ORDER BY installed_at').all() as ConversationRow[]
    ).map(toRecord);
  }
}
