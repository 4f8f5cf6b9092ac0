import { adminDecision, type AdminDecision } from '../../domain/admins';
import type { AdaptiveCardJson } from '../../cards/render';
import type { Actor } from './bot-types';
import { errorCard } from './error-card';

export interface AdminGateDeps {
  /** ADMINS from config, lower-case. */
  admins: readonly string[];
  /** Whether the bot serves only the built-in demo tenant (then an empty ADMINS lets everyone in). */
  demoOnly: boolean;
  /** The UPN of an Entra object id from the synced directory, so ADMINS may list UPNs; Teams sends only the id. */
  upnOf: (aadObjectId: string) => string | undefined;
}

/**
 * Whether the sender of a command or a card action may do admin things. Checked on the server
 * from the activity's own sender (never from card data), for every command and action that
 * shows per-user data or changes settings.
 */
export function adminGate(deps: AdminGateDeps): (actor: Actor) => AdminDecision {
  return (actor) =>
    adminDecision(
      {
        aadObjectId: actor.aadObjectId,
        userPrincipalName: actor.aadObjectId ? deps.upnOf(actor.aadObjectId) : undefined,
      },
      deps.admins,
      deps.demoOnly,
    );
}

export type AdminCheck = ReturnType<typeof adminGate>;

/** What a non-admin gets instead of per-user data or a settings change: why, and whom to ask. */
export function adminRefusalCard(reason: string): AdaptiveCardJson {
  return errorCard('Only Seat Steward admins can do this', reason);
}
