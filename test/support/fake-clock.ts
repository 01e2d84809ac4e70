// A Clock that moves only when the test says so: `advance(ms)` fires every timer that falls due on
// the way, in time order, letting the promises each one starts settle before the next.
import type { Clock, Timer } from '../../src/daemon/ports/clock.js';

interface Pending {
  at: number;
  fn: () => void;
  every?: number;
  seq: number;
}

export class FakeClock implements Clock {
  /**
   * Resolves once the work started by the last timer is done (e.g. the controller is idle again);
   * `advance` waits for it before it fires the next timer.
   */
  settledBy?: () => Promise<void>;
  /** Callers parked in `sleep` until the clock moves (a promote's drain, say). */
  sleeping = 0;
  private time: number;
  private seq = 0;
  private readonly pending = new Set<Pending>();

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  monotonic(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      this.sleeping++;
      const timer = this.setTimer(ms, () => {
        this.sleeping--;
        resolve();
      });
      signal?.addEventListener('abort', () => {
        timer.cancel();
        this.sleeping--;
        reject(signal.reason);
      }, { once: true });
    });
  }

  setTimer(ms: number, fn: () => void): Timer {
    return this.add({ at: this.time + Math.max(0, ms), fn, seq: this.seq++ });
  }

  setRepeating(ms: number, fn: () => void): Timer {
    return this.add({ at: this.time + ms, fn, every: ms, seq: this.seq++ });
  }

  /** Timers armed and not yet fired. */
  get armed(): number {
    return this.pending.size;
  }

  /** Moves time forward by `ms`, firing each timer due on the way at its own time. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      await this.settle();
      const next = [...this.pending].filter((p) => p.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      if (next.every === undefined) this.pending.delete(next);
      else next.at += next.every;
      next.fn();
    }
    this.time = until;
    await this.settle();
  }

  private async settle(): Promise<void> {
    await flush();
    await this.settledBy?.();
  }

  private add(p: Pending): Timer {
    this.pending.add(p);
    return { cancel: () => this.pending.delete(p) };
  }
}

/** Lets the promise chains a timer started run, and the I/O they wait for finish, in real time. */
async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setTimeout(resolve, 1));
}
