// Writes docs/openapi.json from the code (`npm run openapi`); a test fails when the committed file differs.
import fs from 'node:fs';
import path from 'node:path';
import { openApiJson } from '../src/entry/api/openapi-document';

const OPENAPI_FILE = path.join(__dirname, '..', 'docs', 'openapi.json');

fs.writeFileSync(OPENAPI_FILE, openApiJson());
console.log(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}`);
