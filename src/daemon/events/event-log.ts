// The daemon's own events: a bounded in-memory history plus live subscribers (`composed events`,
// `up` progress). Old events fall off the front; a slow subscriber never holds the daemon up.
import type { DaemonEvent } from '../../protocol/api.js';

export type EventListener = (event: DaemonEvent) => void;

export class EventLog {
  private readonly history: DaemonEvent[] = [];
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly now: () => number,
    private readonly capacity = 2_000,
  ) {}

  emit(event: Omit<DaemonEvent, 'time'>): DaemonEvent {
    const full: DaemonEvent = { time: new Date(this.now()).toISOString(), ...event };
    this.history.push(full);
    if (this.history.length > this.capacity) this.history.splice(0, this.history.length - this.capacity);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** Events at or after `sinceMs` (epoch ms), optionally of one project. */
  recent(filter: { project?: string; sinceMs?: number } = {}): DaemonEvent[] {
    return this.history.filter(
      (e) => (!filter.project || e.project === filter.project) && (filter.sinceMs === undefined || Date.parse(e.time) >= filter.sinceMs),
    );
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
