import { renderCard } from '../../../cards/render';
import { systemClock } from '../../../domain/clock';
import { reclaimHistoryView } from '../../../cards/reclaim-views';
import { SEATS_PER_REQUEST } from '../../../domain/reclaim';
import { freedByReclaimsText } from '../../../domain/seat-savings';
import type { ReclaimApi, ReclaimCaller, ReclaimRequestOutcome } from '../../../usecases/reclaim/reclaim-api';
import type { StatusService } from '../../../usecases/status/status-service';
import { adminRefusalCard, type AdminCheck } from '../admin-gate';
import type { Actor, BotCommand, CommandReply, CommandRequest } from '../bot-types';
import { errorCard } from '../error-card';
import { clipText } from '../text';
import { tenantsNamed } from './tenant-argument';

export interface ReclaimCommandDeps {
  status: StatusService;
  reclaims: ReclaimApi;
  isAdmin: AdminCheck;
  now?: () => Date;
}

const TIERS = ['certain', 'probable', 'all'] as const;
const HISTORY_ROWS = 8;

export function callerOf(actor: Actor): ReclaimCaller {
  return { aadObjectId: actor.aadObjectId, name: actor.name };
}

/** What a request answers in the chat it was typed in: where the card went, and what was left out and why. */
export function requestOutcomeText(outcome: ReclaimRequestOutcome, tenantName: string, here: boolean): string {
  if (outcome.kind === 'refused') return outcome.reason;
  const left = outcome.notAdded.slice(0, 10).map((n) => `- ${n.user}: ${n.reason}`);
  const more = outcome.notAdded.length > 10 ? [`- and ${outcome.notAdded.length - 10} more`] : [];
  if (outcome.kind === 'nothing') return [`${tenantName}: no seat could be requested.`, ...left, ...more].join('\n\n');
  const n = outcome.items.length;
  const [first] = outcome.requests;
  if (!first) return `${tenantName}: no seat could be requested.`;
  const asked = first.nudge ? `; each holder is asked first in Teams whether to keep the seat (answers due ${first.nudgeUntil?.slice(0, 10)})` : '';
  const cards = outcome.requests.length;
  // Never silent: a pick of 5 of which 3 were requested says so before anything else.
  const of = outcome.notAdded.length > 0 ? `${n} of the ${n + outcome.notAdded.length} seats picked` : `${n} seat${n === 1 ? '' : 's'}`;
  const split = cards > 1 ? ` as ${cards} requests of at most ${SEATS_PER_REQUEST} seats (each card is approved on its own)` : '';
  const head = `${tenantName}: reclaim request for ${of} ${here ? 'posted here' : 'sent to the approvals conversation'} for approval${split}${asked}${first.mode === 'dry-run' ? ' (dry run: nothing will change)' : ''}.`;
  const leftOut = outcome.notAdded.length > 0 ? [`${outcome.notAdded.length} left out:`, ...left, ...more] : [];
  return [head, ...leftOut].join('\n\n');
}

/**
 * `reclaim`: ask for idle Copilot seats to be taken back (`reclaim <upn>[, <upn>...]`, `reclaim certain|probable|all [tenant]`),
 * see the trail (`reclaim history [upn]`), and choose where requests go (`reclaim approvals here`). Admins only.
 */
export function reclaimCommand(deps: ReclaimCommandDeps): BotCommand {
  const now = () => (deps.now ?? systemClock)();
  return {
    name: 'reclaim',
    usage: 'reclaim [ask|now] <upn>[, <upn>…] | reclaim [ask|now] certain|probable|all [tenant] | reclaim history [upn] | reclaim undo <upn> | reclaim pending | reclaim approvals here',
    description:
      'Take idle Copilot seats back through an approval: re-checked just before removal, with undo. "ask" first asks each holder in Teams whether to keep the seat, "now" goes straight to the approvers (RECLAIM_NUDGE sets the default). RECLAIM_MODE decides whether it really removes (on) or only says what it would do (dry-run). Admins only.',
    async run(request) {
      const gate = deps.isAdmin(request.actor);
      if (!gate.allowed) return [{ kind: 'card', card: adminRefusalCard(gate.reason) }];
      let words = request.argument.trim().split(/\s+/).filter((w) => w !== '');
      let first = words[0]?.toLowerCase();
      if (!first) return [{ kind: 'text', text: overview(deps) }];
      if (first === 'history') return history(deps, words.slice(1).join(' '));
      if (first === 'approvals') return approvals(deps, request, words.slice(1).join(' '), now());
      if (first === 'pending') return pending(deps, request, now());
      if (first === 'undo') return undoHolder(deps, request, words.slice(1).join(' '), now());
      // "ask": the holders are asked first (Keep / Release); "now": straight to the approvers.
      let nudge: boolean | undefined;
      if (first === 'ask' || first === 'now') {
        nudge = first === 'ask';
        words = words.slice(1);
        first = words[0]?.toLowerCase();
        if (!first) return [{ kind: 'text', text: `Name the seats after **reclaim ${nudge ? 'ask' : 'now'}**: UPNs, or certain, probable or all.` }];
      }
      if ((TIERS as readonly string[]).includes(first)) return tierRequest(deps, request, first as (typeof TIERS)[number], words.slice(1).join(' '), nudge, now());
      return userRequest(deps, request, words.join(' '), nudge, now());
    },
  };
}

function overview(deps: ReclaimCommandDeps): string {
  const lines = [`Reclaim mode: **${deps.reclaims.mode()}**.`];
  for (const tenant of deps.status.list()) {
    const freed = deps.reclaims.freed(tenant.id);
    const where = deps.reclaims.approvalsConversation(tenant.id) ? 'a set approvals conversation' : 'the chat they are asked in (type **reclaim approvals here** where approvers are)';
    lines.push(`${tenant.tenantName}: ${freedByReclaimsText(freed)} Requests go to ${where}.`);
  }
  lines.push('Ask with **reclaim <upn>[, <upn>…]** or **reclaim certain**; see the trail with **reclaim history [upn]**.');
  return lines.join('\n\n');
}

function history(deps: ReclaimCommandDeps, user: string): CommandReply[] {
  const cards: CommandReply[] = deps.status.list().map((tenant) => {
    const found = deps.reclaims.history({ tenantId: tenant.id, user: user === '' ? undefined : user, offset: 0, limit: HISTORY_ROWS });
    return { kind: 'card', card: renderCard('reclaim-history', reclaimHistoryView({ tenantName: tenant.tenantName, user: user === '' ? undefined : user, total: found.total, items: found.items, now: (deps.now ?? systemClock)() })) };
  });
  return cards.length > 0 ? cards : [{ kind: 'text', text: 'No tenant is connected yet.' }];
}

function approvals(deps: ReclaimCommandDeps, request: CommandRequest, rest: string, now: Date): CommandReply[] {
  if (rest.toLowerCase() !== 'here') return [{ kind: 'text', text: 'Type **reclaim approvals here** in the chat or channel where approvers should get reclaim requests.' }];
  for (const tenant of deps.status.list()) {
    deps.reclaims.setApprovalsConversation(tenant.id, request.replyTarget, { aadObjectId: request.actor.aadObjectId ?? null, name: request.actor.name ?? null }, now);
  }
  return [{ kind: 'text', text: 'Reclaim requests will be posted here for approval.' }];
}

/** `reclaim pending`: every undecided request's card is posted again here (the original chat may be gone) and followed here. */
function pending(deps: ReclaimCommandDeps, request: CommandRequest, now: Date): CommandReply[] {
  const lines = deps.status.list().map((tenant) => {
    const n = deps.reclaims.repostPending(tenant.id, request.replyTarget, now);
    return `${tenant.tenantName}: ${n === 0 ? 'no open reclaim request' : `${n} open reclaim request${n === 1 ? '' : 's'} posted again here; ${n === 1 ? 'its card follows' : 'their cards follow'} the request${n === 1 ? '' : 's'} here from now on`}.`;
  });
  return [{ kind: 'text', text: lines.length > 0 ? lines.join('\n\n') : 'No tenant is connected yet.' }];
}

/** `reclaim undo <upn>`: gives back every removed seat of that holder still in its undo window (approvers only). */
function undoHolder(deps: ReclaimCommandDeps, request: CommandRequest, user: string, now: Date): CommandReply[] {
  const who = user.trim();
  if (who === '' || /\s/.test(who)) return [{ kind: 'text', text: 'Name one holder: **reclaim undo adele@contoso.com** (a UPN or an object id).' }];
  const lines: string[] = [];
  for (const tenant of deps.status.list()) {
    for (const outcome of deps.reclaims.undoHolder(tenant.id, who, callerOf(request.actor), now)) lines.push(`${tenant.tenantName}: ${outcome.message}`);
  }
  return [{ kind: 'text', text: lines.length > 0 ? lines.join('\n\n') : `No removed seat of ${clipText(who, 80)} to give back.` }];
}

async function tierRequest(deps: ReclaimCommandDeps, request: CommandRequest, tier: (typeof TIERS)[number], tenantArg: string, nudge: boolean | undefined, now: Date): Promise<CommandReply[]> {
  const named = tenantsNamed(deps.status, tenantArg);
  if ('hint' in named) return [{ kind: 'text', text: named.hint }];
  const replies: CommandReply[] = [];
  for (const tenant of named.tenants) {
    const outcome = await deps.reclaims.request({ tenantId: tenant.id, caller: callerOf(request.actor), pick: { tier }, nudge, source: 'command', replyTarget: request.replyTarget }, now);
    replies.push({ kind: 'text', text: requestOutcomeText(outcome, tenant.tenantName, hereFor(deps, tenant.id)) });
  }
  return replies;
}

async function userRequest(deps: ReclaimCommandDeps, request: CommandRequest, argument: string, nudge: boolean | undefined, now: Date): Promise<CommandReply[]> {
  const users = argument.split(/[\s,;]+/).map((u) => u.trim()).filter((u) => u !== '');
  if (users.length === 0) return [{ kind: 'text', text: 'Name the seat holders by UPN, e.g. **reclaim adele@contoso.com**.' }];
  const tenants = deps.status.list();
  if (tenants.length === 0) return [{ kind: 'text', text: 'No tenant is connected yet.' }];
  const replies: CommandReply[] = [];
  const missing = new Set(users.map((u) => u.toLowerCase()));
  for (const tenant of tenants) {
    const outcome = await deps.reclaims.request({ tenantId: tenant.id, caller: callerOf(request.actor), pick: { users }, nudge, source: 'command', replyTarget: request.replyTarget }, now);
    if (outcome.kind === 'refused') return [{ kind: 'card', card: errorCard('Reclaim not requested', outcome.reason) }];
    const foundHere = outcome.notAdded.filter((n) => !/holds no Copilot seat/.test(n.reason)).map((n) => n.user.toLowerCase());
    const created = outcome.kind === 'created' ? outcome.items.map((i) => i.userPrincipalName.toLowerCase()) : [];
    for (const u of [...foundHere, ...created]) missing.delete(u);
    if (outcome.kind === 'created' || foundHere.length > 0) replies.push({ kind: 'text', text: requestOutcomeText(outcome, tenant.tenantName, hereFor(deps, tenant.id)) });
  }
  if (missing.size > 0) replies.push({ kind: 'text', text: `No Copilot seat found for ${[...missing].map((m) => clipText(m, 80)).join(', ')} in the latest sync.` });
  return replies;
}

function hereFor(deps: ReclaimCommandDeps, tenantId: string): boolean {
  return deps.reclaims.approvalsConversation(tenantId) === undefined;
}

