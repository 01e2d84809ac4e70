// A work queue keyed by `project/service`, like a Kubernetes controller's: triggers only enqueue a
// key; one worker at a time syncs a key; a key enqueued while its sync runs is synced once more
// afterwards (never twice at once); a delayed enqueue keeps the earliest due time.
import type { Clock, Timer } from '../ports/clock.js';

export type SyncFn = (key: string) => Promise<void>;

interface KeyState {
  running: boolean;
  dirty: boolean;
  timer?: Timer;
  dueAt?: number;
}

export class WorkQueue {
  private readonly keys = new Map<string, KeyState>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly sync: SyncFn,
    private readonly clock: Clock,
    private readonly onError: (key: string, error: unknown) => void,
  ) {}

  enqueue(key: string): void {
    if (this.closed) return;
    const state = this.state(key);
    this.clearTimer(state);
    if (state.running) {
      state.dirty = true;
      return;
    }
    this.run(key, state);
  }

  /** Enqueue at `at` (epoch ms); an earlier pending time wins. */
  enqueueAt(key: string, at: number): void {
    if (this.closed) return;
    const state = this.state(key);
    if (state.dueAt !== undefined && state.dueAt <= at) return;
    this.clearTimer(state);
    state.dueAt = at;
    state.timer = this.clock.setTimer(at - this.clock.now(), () => {
      state.timer = undefined;
      state.dueAt = undefined;
      this.enqueue(key);
    });
  }

  /** Forget a key (its project went down); a sync in flight finishes. */
  forget(key: string): void {
    const state = this.keys.get(key);
    if (!state) return;
    this.clearTimer(state);
    state.dirty = false;
    if (!state.running) this.keys.delete(key);
  }

  /** Stop taking work and wait for the syncs in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const state of this.keys.values()) this.clearTimer(state);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** True while a sync of a key starting with `prefix` runs or is due to run again at once. */
  busy(prefix = ''): boolean {
    return [...this.keys].some(([key, s]) => key.startsWith(prefix) && (s.running || s.dirty));
  }

  private run(key: string, state: KeyState): void {
    state.running = true;
    state.dirty = false;
    const work = this.sync(key)
      .catch((error: unknown) => this.onError(key, error))
      .finally(() => {
        state.running = false;
        this.inFlight.delete(work);
        if (state.dirty && !this.closed) this.run(key, state);
        else if (state.timer === undefined) this.keys.delete(key);
      });
    this.inFlight.add(work);
  }

  private state(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { running: false, dirty: false };
      this.keys.set(key, state);
    }
    return state;
  }

  private clearTimer(state: KeyState): void {
    state.timer?.cancel();
    state.timer = undefined;
    state.dueAt = undefined;
  }
}
