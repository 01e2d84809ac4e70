// What the daemon did itself a moment ago, so the engine's events for it are not taken for news
// or for someone else's doing. Keys are kept for `memoryMs` after they were last noted; the oldest
// go first (the map keeps them in the order they were last noted).

export class RecentKeys {
  private readonly notedAt = new Map<string, number>();

  constructor(
    private readonly memoryMs: number,
    private readonly now: () => number,
  ) {}

  note(key: string): void {
    const now = this.now();
    this.notedAt.delete(key);
    this.notedAt.set(key, now);
    for (const [oldest, at] of this.notedAt) {
      if (now - at <= this.memoryMs) break;
      this.notedAt.delete(oldest);
    }
  }

  has(key: string): boolean {
    const at = this.notedAt.get(key);
    return at !== undefined && this.now() - at <= this.memoryMs;
  }

  forget(key: string): void {
    this.notedAt.delete(key);
  }
}
