import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApiJson } from '../src/entry/api/openapi-document';

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
});
