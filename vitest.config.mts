import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the app once (test/global-setup.ts): the tests that start it as a process run the compiled app.
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // One module graph per worker process, not per test file: importing the app (botbuilder,
    // restify, the Graph client, zod schemas...) took about 1.7 s a file, 150 s of the suite's CPU.
    // Test files share no state through modules: each starts and closes its own app, servers and
    // SQLite files, and a test that fakes timers puts them back.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: the browser test and the Graph tests each start servers of their own.
    maxWorkers: 2,
  },
});
