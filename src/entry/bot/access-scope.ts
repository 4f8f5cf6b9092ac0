import { AsyncLocalStorage } from 'node:async_hooks';
import { canSeeTenant, type ActorAccess } from '../../domain/client-access';
import type { TenantReads } from '../../usecases/status/ports';

/**
 * Every command and card action runs inside its sender's access scope (bot-app.ts sets it per
 * turn), and the tenant reads the bot's handlers are given answer only with the tenants that sender
 * may see: a customer tenant outside their clients is, to them, a tenant that does not exist. One
 * gate for every handler, including ones added later, instead of a check in each file. Read outside
 * a turn it throws, so a handler run some other way fails loudly rather than showing every tenant.
 */
const scope = new AsyncLocalStorage<ActorAccess>();

export function inAccessScope<T>(access: ActorAccess, work: () => Promise<T>): Promise<T> {
  return scope.run(access, work);
}

/** The sender's access in the running turn. */
export function currentAccess(): ActorAccess {
  const access = scope.getStore();
  if (!access) throw new Error('a bot handler read tenants outside a turn, so it cannot know who is asking');
  return access;
}

export function scopedTenants(all: TenantReads): TenantReads {
  return {
    list: () => {
      const access = currentAccess();
      return all.list().filter((t) => canSeeTenant(access, t));
    },
    find: (id) => {
      const access = currentAccess();
      const tenant = all.find(id);
      return tenant && canSeeTenant(access, tenant) ? tenant : undefined;
    },
  };
}
