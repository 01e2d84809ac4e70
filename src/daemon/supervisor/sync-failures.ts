// What the supervisor remembers of failed syncs, and what a failure means next, by the class the
// runtime gave it: not found / conflict -> the listing was stale, look again soon; transient ->
// back off; terminal (an image that cannot be had, a spec the engine refuses) -> report it and
// wait for a change (a new config, `up`, `restart`, `start`, `scale`) instead of retrying forever.
import { RuntimeError } from '../ports/runtime.js';

/** Retry delays for a sync that failed (engine unreachable, an operation refused). */
const ERROR_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];
/**
 * A container that vanished or changed under an operation (not found, conflict) means the listing
 * was stale: look again this soon, this many times in a row, before backing off like any failure.
 */
const STALE_RETRY_MS = 100;
const STALE_RETRIES = 3;

export type NextAfterFailure = { kind: 'retry'; delayMs: number } | { kind: 'halt'; firstTime: boolean };

export class SyncFailures {
  /** The last failure's message per service key, for status. */
  private readonly lastError = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  /** Services waiting for a change, with the config hash they failed on. */
  private readonly halted = new Map<string, { message: string; configHash: string }>();

  /** The last failure's message for a service key, for status. */
  lastErrorOf(serviceKey: string): string | undefined {
    return this.lastError.get(serviceKey);
  }

  failed(serviceKey: string, error: unknown, configHash: string): NextAfterFailure {
    const message = error instanceof Error ? error.message : String(error);
    this.lastError.set(serviceKey, message);
    const kind = error instanceof RuntimeError ? error.kind : 'transient';
    if (kind === 'terminal') {
      const firstTime = this.halted.get(serviceKey)?.message !== message;
      this.halted.set(serviceKey, { message, configHash });
      return { kind: 'halt', firstTime };
    }
    const count = (this.counts.get(serviceKey) ?? 0) + 1;
    this.counts.set(serviceKey, count);
    if ((kind === 'not-found' || kind === 'conflict') && count <= STALE_RETRIES) return { kind: 'retry', delayMs: STALE_RETRY_MS };
    return { kind: 'retry', delayMs: ERROR_BACKOFF_MS[Math.min(count, ERROR_BACKOFF_MS.length) - 1] ?? 30_000 };
  }

  succeeded(serviceKey: string): void {
    this.counts.delete(serviceKey);
    this.lastError.delete(serviceKey);
  }

  /** Whether the service waits for a change: it failed terminally on this very config. */
  isHalted(serviceKey: string, configHash: string): boolean {
    if (this.halted.get(serviceKey)?.configHash === configHash) return true;
    this.halted.delete(serviceKey);
    return false;
  }

  haltedBy(serviceKey: string): string | undefined {
    return this.halted.get(serviceKey)?.message;
  }

  /** Something changed that may fix what retrying could not: forget the keys `matches` picks. */
  forget(matches: (serviceKey: string) => boolean): void {
    for (const map of [this.lastError, this.counts, this.halted]) {
      for (const serviceKey of [...map.keys()]) if (matches(serviceKey)) map.delete(serviceKey);
    }
  }
}
