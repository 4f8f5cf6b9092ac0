import type { AppConfig } from '../config/config';
import { assemble } from './assemble';
import type { SeatSteward, SeatStewardOptions } from './app-types';

export { PortUnavailableError } from './wire-api';

export type { SeatSteward, SeatStewardOptions } from './app-types';

/** Builds the adapters (Graph, SQLite, Teams), hands them to the use cases and the entry points, then listens. */
export async function startSeatSteward(config: AppConfig, options: SeatStewardOptions): Promise<SeatSteward> {
  return (await assemble(config, options)).app;
}
