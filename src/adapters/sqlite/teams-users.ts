import type { TeamsUserIds } from '../../usecases/reclaim/ports';
import type { Db } from './database';
import { prepared } from './prepared';

/** Entra object id → Teams user id (29:…) of everyone who talked to the bot: a card's refresh names Teams ids. */
export class SqliteTeamsUserIds implements TeamsUserIds {
  /** What this process already stored: every activity passes here, and most senders are known. */
  private readonly known = new Map<string, string>();

  constructor(private readonly db: Db) {}

  remember(aadObjectId: string, teamsUserId: string): void {
    if (aadObjectId.trim() === '' || teamsUserId.trim() === '') return;
    const key = aadObjectId.toLowerCase();
    if (this.known.get(key) === teamsUserId) return;
    prepared(
      this.db,
      `INSERT INTO teams_users (aad_object_id, teams_user_id, seen_at) VALUES (?, ?, ?)
       ON CONFLICT (aad_object_id) DO UPDATE SET teams_user_id = excluded.teams_user_id, seen_at = excluded.seen_at
       WHERE teams_users.teams_user_id <> excluded.teams_user_id`,
    ).run(key, teamsUserId, new Date().toISOString());
    this.known.set(key, teamsUserId);
  }

  teamsIdsOf(aadObjectIds: readonly string[]): string[] {
    const get = prepared(this.db, 'SELECT teams_user_id FROM teams_users WHERE aad_object_id = ?').pluck();
    return aadObjectIds
      .map((id) => get.get(id.toLowerCase()) as string | undefined)
      .filter((id): id is string => id !== undefined);
  }
}
