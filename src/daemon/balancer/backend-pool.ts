// Which backends are in rotation, which connections each one holds, and their counters. No sockets
// here: a connection is any Link, so the bookkeeping is unit-tested without the network.
import type { Backend, BackendStats } from './backend.js';
import { pickLeastActive } from './pick.js';

/** One client connection as the pool sees it. */
export interface Link {
  /** Bytes forwarded so far, client -> backend and backend -> client. */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Settles once the connection is closed on both sides and released from the pool. */
  readonly done: Promise<void>;
  destroy(): void;
}

interface BackendRecord<L extends Link> {
  backend: Backend;
  inRotation: boolean;
  links: Set<L>;
  total: number;
  failures: number;
  resets: number;
  /** Bytes of links already closed; open links add theirs when stats are read. */
  bytesIn: number;
  bytesOut: number;
  /** The last connect attempt failed: only the change is worth a log line. */
  failing: boolean;
}

export interface RotationChange {
  added: string[];
  removed: string[];
}

export class BackendPool<L extends Link> {
  private readonly records = new Map<string, BackendRecord<L>>();
  private rotation: BackendRecord<L>[] = [];
  private cursor = 0;
  private readonly rotationWaiters = new Set<() => void>();
  /** Every connection adds `weight` to `credit`; at 100 one goes to the weighted backend (no randomness). */
  private weighted: { id: string; weight: number; credit: number } | undefined;

  /**
   * Replace the rotation. Backends left out stop getting new connections but keep their open ones
   * (and their counters) until those close. Throws on a duplicate id, which is a caller bug.
   */
  setBackends(backends: readonly Backend[]): RotationChange {
    const ids = new Set(backends.map((b) => b.id));
    if (ids.size !== backends.length) throw new TypeError('setBackends: duplicate backend id');
    const change: RotationChange = { added: [], removed: [] };
    for (const record of this.rotation) {
      if (ids.has(record.backend.id)) continue;
      record.inRotation = false;
      change.removed.push(record.backend.id);
      this.forgetIfIdle(record);
    }
    this.rotation = backends.map((backend) => {
      const record = this.records.get(backend.id) ?? this.newRecord(backend);
      if (!record.inRotation) change.added.push(backend.id);
      record.backend = backend;
      record.inRotation = true;
      return record;
    });
    if (change.added.length > 0) {
      for (const wake of this.rotationWaiters) wake();
      this.rotationWaiters.clear();
    }
    return change;
  }

  /** True when no backend is in rotation (a service scaled to zero, or none ready yet). */
  isEmpty(): boolean {
    return this.rotation.length === 0;
  }

  /** Settles when a backend next enters the rotation, or when `signal` aborts. */
  nextBackend(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', stop);
        resolve();
      };
      const stop = () => {
        this.rotationWaiters.delete(wake);
        resolve();
      };
      this.rotationWaiters.add(wake);
      signal.addEventListener('abort', stop, { once: true });
    });
  }

  /** Take one backend out of rotation now; returns the connections it still holds. */
  retire(id: string): L[] {
    const record = this.records.get(id);
    if (!record) return [];
    if (record.inRotation) {
      record.inRotation = false;
      this.rotation = this.rotation.filter((r) => r !== record);
    }
    const links = [...record.links];
    this.forgetIfIdle(record);
    return links;
  }

  /**
   * Choose a backend for `link` (least active, rotating among equals, skipping `exclude`) and count
   * the link as active there straight away, so a burst of clients spreads before any connects.
   */
  acquire(exclude: ReadonlySet<string>, link: L): Backend | undefined {
    const candidates = this.rotation.map((r) => ({ id: r.backend.id, active: r.links.size }));
    const index = this.pickWeighted(candidates, exclude) ?? pickLeastActive(candidates, this.cursor, exclude);
    if (index === undefined) return undefined;
    if (this.rotation[index]!.backend.id !== this.weighted?.id) this.cursor = index + 1;
    const record = this.rotation[index]!;
    record.links.add(link);
    return record.backend;
  }

  /** The link reached backend `id`. True when that backend was failing until now. */
  connected(id: string): boolean {
    const record = this.records.get(id);
    if (!record) return false;
    record.total += 1;
    const recovered = record.failing;
    record.failing = false;
    return recovered;
  }

  /** The connect attempt failed; the link is released. True when this starts a failing streak. */
  failed(id: string, link: L): boolean {
    const record = this.records.get(id);
    if (!record) return false;
    record.failures += 1;
    const started = !record.failing;
    record.failing = true;
    this.release(id, link);
    return started;
  }

  /** A connection the backend had accepted failed on its side. */
  reset(id: string): void {
    const record = this.records.get(id);
    if (record) record.resets += 1;
  }

  /**
   * Give backend `id` `weight` % of new connections (a canary), the others share the rest by least
   * active; undefined gives every backend its least-active share again.
   */
  setWeighted(weighted: { id: string; weight: number } | undefined): void {
    if (weighted?.id !== this.weighted?.id || weighted?.weight !== this.weighted?.weight) this.weighted = weighted && { ...weighted, credit: 0 };
  }

  /** The link is closed: fold its bytes into the counters and forget it. */
  release(id: string, link: L): void {
    const record = this.records.get(id);
    if (!record || !record.links.delete(link)) return;
    record.bytesIn += link.bytesIn;
    record.bytesOut += link.bytesOut;
    this.forgetIfIdle(record);
  }

  /** Backends in rotation plus retired ones still holding connections, sorted by id. */
  stats(): BackendStats[] {
    return [...this.records.values()]
      .map((r) => {
        let bytesIn = r.bytesIn;
        let bytesOut = r.bytesOut;
        for (const link of r.links) {
          bytesIn += link.bytesIn;
          bytesOut += link.bytesOut;
        }
        return { id: r.backend.id, active: r.links.size, total: r.total, bytesIn, bytesOut, failures: r.failures, resets: r.resets };
      })
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** With a weighted backend beside others: its turn (its index), or theirs (least active among them). */
  private pickWeighted(candidates: Array<{ id: string; active: number }>, exclude: ReadonlySet<string>): number | undefined {
    const weighted = this.weighted;
    if (!weighted || candidates.length < 2) return undefined;
    const mine = candidates.findIndex((c) => c.id === weighted.id);
    if (mine < 0) return undefined;
    weighted.credit += weighted.weight;
    if (weighted.credit >= 100 && !exclude.has(weighted.id)) {
      weighted.credit -= 100;
      return mine;
    }
    const others = new Set(exclude).add(weighted.id);
    return pickLeastActive(candidates, this.cursor, others) ?? (exclude.has(weighted.id) ? undefined : mine);
  }

  private newRecord(backend: Backend): BackendRecord<L> {
    const record: BackendRecord<L> = {
      backend,
      inRotation: false,
      links: new Set(),
      total: 0,
      failures: 0,
      resets: 0,
      bytesIn: 0,
      bytesOut: 0,
      failing: false,
    };
    this.records.set(backend.id, record);
    return record;
  }

  /** A retired backend is dropped once its last connection closes, so stats show live replicas only. */
  private forgetIfIdle(record: BackendRecord<L>): void {
    if (!record.inRotation && record.links.size === 0) this.records.delete(record.backend.id);
  }
}
