// Worker threads start without the parent's TypeScript loader, so register tsx before loading the worker.
require('tsx/cjs/api').register();
require('./read-worker.ts');
