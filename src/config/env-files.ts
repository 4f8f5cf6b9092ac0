import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Teams Toolkit keeps non-secret values in env/.env.<name> (committed) and SECRET_*
 * values in env/.env.<name>.user (git-ignored); the .user file wins on conflicts.
 */
export function readEnvFiles(envDir: string, envName: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const file of [`.env.${envName}`, `.env.${envName}.user`]) {
    const full = path.join(envDir, file);
    if (!fs.existsSync(full)) continue;
    const parsed = parseEnv(fs.readFileSync(full, 'utf8')) as Record<string, string | undefined>;
    for (const [key, value] of Object.entries(parsed)) if (value !== undefined) values[key] = value;
  }
  return values;
}
