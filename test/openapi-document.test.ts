import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, openApiJson } from '../src/entry/api/openapi-document';
import { NUDGE_OUTCOMES, RECLAIM_MODES, RECLAIM_STATES, SKIP_CODES } from '../src/domain/reclaim';

/** CI's check that the committed docs/openapi.json is what the code generates. */
describe('docs/openapi.json', () => {
  it('is what the code generates', () => {
    const file = path.join(__dirname, '..', 'docs', 'openapi.json');
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(missing)';
    if (committed !== openApiJson())
      expect.fail(
        'docs/openapi.json differs from the OpenAPI document the code generates: run `npm run openapi` and commit docs/openapi.json.',
      );
  });

  // The test files share one module graph (vitest isolate: false): a document build that wrote into
  // the enum arrays zod holds changed the domain's own lists for every later test.
  it('leaves the domain lists its enums come from untouched', () => {
    buildOpenApiDocument();
    for (const list of [RECLAIM_STATES, RECLAIM_MODES, NUDGE_OUTCOMES, SKIP_CODES] as ReadonlyArray<readonly unknown[]>)
      expect(list).not.toContain(null);
  });
});
