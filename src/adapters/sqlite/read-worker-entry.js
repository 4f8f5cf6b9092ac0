// Worker threads start without the parent's loader. Built (`npm run build`), the compiled
// read-worker.js sits beside this file; from source (tsx, vitest) only the .ts does, so register
// tsx first, which is a development dependency and absent from a production install.
const fs = require('node:fs');
const path = require('node:path');

const compiled = path.join(__dirname, 'read-worker.js');
if (fs.existsSync(compiled)) {
  require(compiled);
} else {
  require('tsx/cjs/api').register();
  require('./read-worker.ts');
}
