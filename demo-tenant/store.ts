import { DEFAULT_APP_ROLES } from './constants';
import type { DemoTenantData, GraphUser } from './model';

const MAX_CACHED_VIEWS = 32;

/**
 * Holds the tenant being served plus indexes derived from it. Indexes are
 * built lazily and dropped whenever the data is replaced, so setData is cheap
 * and a 100k-user tenant only pays for the lookups a test actually uses.
 */
export class TenantStore {
  private current: DemoTenantData;
  private usersByKey: Map<string, GraphUser> | null = null;
  private readonly views = new Map<string, readonly unknown[]>();
  /** Bumped on replace so callers can tell stale caches apart. */
  generation = 0;

  constructor(data: DemoTenantData) {
    this.current = data;
  }

  get data(): DemoTenantData {
    return this.current;
  }

  replace(data: DemoTenantData): void {
    this.current = data;
    this.usersByKey = null;
    this.views.clear();
    this.generation++;
  }

  /** After a write: filtered views built from the old data are stale. */
  changed(): void {
    this.views.clear();
    this.generation++;
  }

  get appRoles(): readonly string[] {
    return this.current.app.roles ?? DEFAULT_APP_ROLES;
  }

  /** Graph resolves /users/{x} by object id or by userPrincipalName, case-insensitively. */
  findUser(idOrUpn: string): GraphUser | undefined {
    if (!this.usersByKey) {
      const map = new Map<string, GraphUser>();
      for (const user of this.current.users) {
        map.set(user.id.toLowerCase(), user);
        map.set(user.userPrincipalName.toLowerCase(), user);
      }
      this.usersByKey = map;
    }
    return this.usersByKey.get(idOrUpn.toLowerCase());
  }

  /** True when the path segment names this tenant by id or by one of its verified domains. */
  isThisTenant(tenant: string): boolean {
    const t = tenant.toLowerCase();
    if (t === this.current.tenantId.toLowerCase()) return true;
    return this.current.organization.verifiedDomains.some((d) => d.name.toLowerCase() === t);
  }

  /**
   * Filtered collections are computed once per distinct query and reused by
   * every following page, instead of rescanning 100k users per request.
   */
  view<T>(key: string, build: () => readonly T[]): readonly T[] {
    const hit = this.views.get(key) as readonly T[] | undefined;
    if (hit) return hit;
    const built = build();
    if (this.views.size >= MAX_CACHED_VIEWS) {
      const oldest = this.views.keys().next().value;
      if (oldest !== undefined) this.views.delete(oldest);
    }
    this.views.set(key, built);
    return built;
  }
}
