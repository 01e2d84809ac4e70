// Container creates and starts in flight at once, daemon-wide. Each service's plan already runs 16
// replicas at a time, but every service syncs at once: `up` of 50 services x 20 had 750 creates in
// flight within 5 s and then started containers at 4.6 a second, where the engine API driven 16 at
// a time (create, then start) does 5.3 (bench/RESULTS.md, the scale bench; a container's start is
// the engine's slow call: its network endpoint and runc). Stops and removals are not limited: they
// wait on each container's grace period, and a `down` must not queue 1,000 of those behind 16.
//
// Engine calls have no deadline of their own: one the engine never answers keeps its lane (the
// fault suite's engine restart ends such calls, as their socket resets), the other 15 go on.
//
// A replacement (a replica whose container died or was removed) is taken before waiting first
// starts: it keeps a service at its count while an `up` of another project is still bringing
// replicas up.

/** docker compose's name for its own limit on engine calls in flight. */
export const PARALLEL_LIMIT_ENV = 'COMPOSED_PARALLEL_LIMIT';
const DEFAULT_LIMIT = 16;

export class StartLanes {
  private running = 0;
  private readonly urgent: Array<() => void> = [];
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`start lanes: the limit must be a whole number of at least 1, not ${limit}`);
  }

  /** From `COMPOSED_PARALLEL_LIMIT` when set, else 16; a value that is not a whole number >= 1 is an error naming it. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): StartLanes {
    const raw = env[PARALLEL_LIMIT_ENV];
    if (raw === undefined || raw === '') return new StartLanes(DEFAULT_LIMIT);
    const limit = Number(raw);
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`${PARALLEL_LIMIT_ENV}=${raw}: expected a whole number of at least 1`);
    return new StartLanes(limit);
  }

  /** Runs `work` once a lane is free; `urgent` work goes before every waiting non-urgent one. */
  async run<T>(work: () => Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
    if (this.running >= this.limit) {
      await new Promise<void>((resolve) => (options.urgent ? this.urgent : this.waiting).push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      // The lane passes straight to the next waiter, so `running` counts it without a gap.
      const next = this.urgent.shift() ?? this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
