/**
 * What the app has opened, closed in reverse order: the one teardown for a start that fails
 * part-way (a failed start must not keep the lock, the database or worker threads) and for stop.
 * Each wired part registers its own dispose as soon as it exists.
 */
export class DisposalStack {
  private readonly parts: Array<{ what: string; dispose: () => unknown }> = [];

  add(what: string, dispose: () => unknown): void {
    this.parts.push({ what, dispose });
  }

  /**
   * Runs every dispose, last registered first, each once; one that fails does not stop the rest.
   * Resolves with the failures (what, error) so the caller decides whether to log or throw them.
   */
  async disposeAll(): Promise<Array<{ what: string; error: unknown }>> {
    const failures: Array<{ what: string; error: unknown }> = [];
    for (const part of this.parts.splice(0).reverse()) {
      try {
        await part.dispose();
      } catch (error) {
        failures.push({ what: part.what, error });
      }
    }
    return failures;
  }
}
