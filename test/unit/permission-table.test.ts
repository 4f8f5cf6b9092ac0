import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { READ_REQUIREMENTS, type CheckedReadId } from '../../src/domain/access-requirements';

/** The README's permission table is the admin's setup list: it must say what `check` checks. */
describe('README permission table', () => {
  const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const table = readme.split('\n').filter((line) => line.startsWith('| ') && line.includes('(`'));
  for (const id of Object.keys(READ_REQUIREMENTS) as CheckedReadId[]) {
    it(`lists ${id} with its permission, licence and what it unlocks`, () => {
      const r = READ_REQUIREMENTS[id];
      const row = table.find((line) => line.includes(`(\`${id}\`)`));
      expect(row, `no README row for ${id}`).toBeDefined();
      expect(row).toContain(`\`${r.permission}\` (${r.api})`);
      expect(row).toContain(r.licence ?? '—');
      expect(row).toContain(r.unlocks);
    });
  }
});
