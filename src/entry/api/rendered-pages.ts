/**
 * A REST answer already serialized to JSON. Pages of a snapshot never change once it is published,
 * so the answer to the same question about the same snapshot can be sent again as it was: under
 * 50 callers, building and serializing 100 users on the event loop was most of each request's cost.
 */
export class RenderedJson {
  constructor(readonly body: string) {}
}

/** The most recently used rendered pages, keyed by snapshot and query (a new snapshot means new keys). */
export class RenderedPageCache {
  private readonly pages = new Map<string, RenderedJson>();

  constructor(private readonly maxPages: number) {}

  get(key: string): RenderedJson | undefined {
    const page = this.pages.get(key);
    if (page) {
      // Map keeps insertion order: re-inserting marks it most recently used.
      this.pages.delete(key);
      this.pages.set(key, page);
    }
    return page;
  }

  set(key: string, page: RenderedJson): void {
    this.pages.delete(key);
    this.pages.set(key, page);
    while (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value as string);
  }
}
