import type { AppConfig } from '../config/config';
import { assemble } from './assemble';
import type { AppInternals, SeatSteward, SeatStewardOptions } from './app-types';

export type { AppInternals } from './app-types';

/** The app as tests and benchmarks drive it: the running app and its internals. */
export type TestApp = SeatSteward & AppInternals;

/** Starts the app as startSeatSteward does, and hands back its internals too. For tests and benchmarks only. */
export async function startSeatStewardForTests(config: AppConfig, options: SeatStewardOptions): Promise<TestApp> {
  const { app, internals } = await assemble(config, options);
  return { ...app, ...internals };
}
