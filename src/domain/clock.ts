/**
 * The one source of "now". Parts that need the time take a Clock (tests pass a fixed or stepped
 * one); only the composition root and defaults reach for the system's.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
