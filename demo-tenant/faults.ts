/**
 * Scripted failures, so tests can reproduce throttling, outages and broken
 * connections at an exact request without timing tricks.
 */
export interface FaultRule {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /**
   * Matched against pathname + search. A string matches when it equals the
   * pathname, when it is a prefix of pathname + search and contains `?`, or when
   * it ends in `*` and the pathname starts with the rest. Case-insensitive.
   */
  path: string | RegExp;
  /** Status to answer with. Omit (with delayMs) to only slow a real response down. */
  status?: number;
  /** Graph `error.code` or Entra `error`; a sensible default per status otherwise. */
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  headers?: Record<string, string>;
  /** How many matching requests fail. Default 1; Infinity for "until cleared". */
  times?: number;
  /** Let this many matching requests through first (e.g. 2 to fail the third page). */
  skip?: number;
  /** Destroy the socket instead of answering, like a reset connection. */
  dropConnection?: boolean;
  /** Wait before answering (or before failing). */
  delayMs?: number;
}

/** The JSON form of a rule for the HTTP control endpoint, where a RegExp cannot travel. */
export interface FaultRuleJson extends Omit<FaultRule, 'path' | 'times'> {
  path?: string;
  /** Regular expression source, used instead of path. */
  pathRegex?: string;
  /** null (JSON has no Infinity) means unlimited. */
  times?: number | null;
}

interface ActiveRule {
  rule: FaultRule;
  skipped: number;
  fired: number;
}

export interface FaultDecision {
  rule: FaultRule;
}

function pathMatches(pattern: string | RegExp, pathname: string, pathAndSearch: string): boolean {
  if (pattern instanceof RegExp) {
    pattern.lastIndex = 0;
    return pattern.test(pathAndSearch);
  }
  const p = pattern.toLowerCase();
  const path = pathname.toLowerCase();
  if (p.endsWith('*')) return path.startsWith(p.slice(0, -1));
  if (p === path) return true;
  return p.includes('?') && pathAndSearch.toLowerCase().startsWith(p);
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    if (rule.status === undefined && !rule.dropConnection && rule.delayMs === undefined) {
      throw new Error('A fault rule needs a status, dropConnection or delayMs');
    }
    this.rules.push({ rule, skipped: 0, fired: 0 });
  }

  addJson(json: FaultRuleJson): void {
    const { pathRegex, path, times, ...rest } = json;
    if (pathRegex === undefined && path === undefined) throw new Error('A fault rule needs path or pathRegex');
    this.add({
      ...rest,
      path: pathRegex !== undefined ? new RegExp(pathRegex, 'i') : (path as string),
      times: times === null ? Infinity : times,
    });
  }

  clear(): void {
    this.rules = [];
  }

  /** Rules still able to fire, for assertions that a scripted fault was consumed. */
  get pending(): number {
    return this.rules.length;
  }

  /**
   * Consumes and returns the rule that applies to this request, if any. Every
   * matching rule counts the request towards its own `skip`, so independent
   * rules on overlapping paths do not disturb each other's numbering.
   */
  take(method: string, pathname: string, search: string): FaultDecision | null {
    const pathAndSearch = pathname + search;
    let chosen: FaultRule | null = null;
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!pathMatches(rule.path, pathname, pathAndSearch)) continue;
      if (active.skipped < (rule.skip ?? 0)) {
        active.skipped++;
        continue;
      }
      if (chosen === null) {
        chosen = rule;
        active.fired++;
      }
    }
    this.rules = this.rules.filter((a) => a.fired < (a.rule.times ?? 1));
    return chosen ? { rule: chosen } : null;
  }
}
