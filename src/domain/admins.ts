/**
 * Who may act as a Seat Steward admin in chat: subscribe digests, set prices, see per-user data.
 * ADMINS lists Entra object ids or UPNs. Left empty, only the built-in demo tenant lets everyone in,
 * so `npm start` works with no accounts; a real tenant's data is never shown to anyone by default.
 */
export interface Actor {
  /** The Entra object id (Teams' from.aadObjectId); absent outside Teams. */
  aadObjectId?: string;
  /** The UPN when the channel gives one (Teams' from.userPrincipalName via TeamsInfo, or the Playground's). */
  userPrincipalName?: string;
}

export type AdminDecision = { allowed: true } | { allowed: false; reason: string };

export function adminDecision(actor: Actor, admins: readonly string[], demoTenant: boolean): AdminDecision {
  if (admins.length === 0) {
    return demoTenant
      ? { allowed: true }
      : {
          allowed: false,
          reason:
            'No Seat Steward admins are configured. Set ADMINS to the Entra object ids or UPNs of the people allowed to do this, then restart.',
        };
  }
  const ids = [actor.aadObjectId, actor.userPrincipalName]
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .map((v) => v.toLowerCase());
  if (ids.some((id) => admins.includes(id))) return { allowed: true };
  return {
    allowed: false,
    reason:
      'Only Seat Steward admins can do this (they are listed in ADMINS). Ask one of them, or ask whoever runs Seat Steward to add you.',
  };
}
