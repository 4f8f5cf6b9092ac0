import { expect } from 'vitest';
import { SKU } from '../../demo-tenant/constants';
import type { DemoTenantData, GraphUser } from '../../demo-tenant/model';
import { validateCard } from '../support/card-validator';

/** What the reclaim tests share: a card checked as Teams would take it, polling, and a user's Copilot seats in the demo tenant. */
export type Card = Record<string, unknown>;
const COPILOT = SKU.COPILOT.toLowerCase();

/** The card parses and validates with the official package and stays under Teams' 28 KB. */
export function valid(card: Card): Card {
  const { errors, bytes } = validateCard(card);
  expect(errors).toEqual([]);
  expect(bytes).toBeLessThan(28 * 1024);
  return card;
}

/** Polls until `probe` returns a value (the outbox works in the background). */
export async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The user's Copilot assignments as the demo tenant holds them (direct: groupId null). */
export function holdsCopilot(
  data: DemoTenantData,
  userId: string,
): Array<{ groupId: string | null; disabledPlans: string[] }> {
  const user = data.users.find((u) => u.id.toLowerCase() === userId.toLowerCase()) as GraphUser;
  return user.licenseAssignmentStates
    .filter((s) => s.skuId.toLowerCase() === COPILOT)
    .map((s) => ({ groupId: s.assignedByGroup, disabledPlans: s.disabledPlans }));
}
