// One client connection's life: find a backend that accepts it, trying each backend at most once,
// then forward until both sides close. The client socket arrives paused, so whatever it sends while
// we dial waits in the kernel and a failed attempt is invisible to it.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../ports/clock.js';
import type { BackendPool, Link } from './backend-pool.js';
import { dial } from './dial.js';
import { reset } from './reset.js';
import { splice } from './splice.js';

export interface LinkContext {
  pool: BackendPool<ClientLink>;
  connectTimeoutMs: number;
  logger: Logger;
  clock: Clock;
  /**
   * How long a connection that arrives while no backend is in rotation is held for one (a service
   * scaled to zero starting its first replica); 0 resets it at once.
   */
  coldStartHoldMs: () => number;
  /** Links held now, waiting for a backend: what wakes a service scaled to zero. */
  held: Set<ClientLink>;
}

/** Between two tries of a held connection: a replica just started may not listen yet. */
const HELD_RETRY_MS = 100;

export class ClientLink implements Link {
  /** Settles when both sockets are closed and the pool has been told; never rejects. */
  readonly done: Promise<void>;
  /** The backend socket, from the first connect attempt on (so destroy() can cut a dial). */
  private upstream: Socket | undefined;
  private cut = false;

  /** Starts forwarding at once; the owner keeps the link until `done` settles. */
  constructor(
    private readonly client: Socket,
    private readonly ctx: LinkContext,
  ) {
    client.on('error', (error) => ctx.logger.debug({ err: error, client: this.peer() }, 'client socket error'));
    this.done = this.run().catch((error: unknown) => {
      ctx.logger.error({ err: error, client: this.peer() }, 'forwarding failed unexpectedly');
      this.destroy();
    });
  }

  get bytesIn(): number {
    return this.upstream?.bytesWritten ?? 0;
  }

  get bytesOut(): number {
    return this.upstream?.bytesRead ?? 0;
  }

  /**
   * Cut the connection now, whether it is still dialing or already forwarding. Both peers get a
   * reset, so neither takes a cut-off transfer for a complete one.
   */
  destroy(): void {
    this.cut = true;
    reset(this.client);
    if (this.upstream) reset(this.upstream);
  }

  private async run(): Promise<void> {
    const { pool, logger, clock } = this.ctx;
    const tried = new Set<string>();
    const holdMs = pool.isEmpty() ? this.ctx.coldStartHoldMs() : 0;
    const holdUntil = clock.monotonic() + holdMs;
    while (!this.cut) {
      const backend = pool.acquire(tried, this);
      if (!backend && clock.monotonic() < holdUntil) {
        await this.hold(holdUntil);
        tried.clear();
        continue;
      }
      if (!backend) {
        logger.debug({ client: this.peer(), tried: [...tried] }, 'no backend took the connection; resetting the client');
        reset(this.client);
        return;
      }
      tried.add(backend.id);
      const attempt = dial(backend.host, backend.port, this.ctx.connectTimeoutMs);
      this.upstream = attempt.socket;
      try {
        await attempt.connected;
      } catch (error) {
        this.upstream = undefined;
        if (this.cut) {
          pool.release(backend.id, this);
          return;
        }
        const firstFailure = pool.failed(backend.id, this);
        logger[firstFailure ? 'warn' : 'debug']({ err: error, backend: backend.id }, 'connect to backend failed; trying the next');
        continue;
      }
      try {
        if (pool.connected(backend.id)) logger.info({ backend: backend.id }, 'backend accepts connections again');
        if (await splice(this.client, attempt.socket)) pool.reset(backend.id);
      } finally {
        pool.release(backend.id, this);
      }
      return;
    }
  }

  /** Wait for a backend to enter the rotation, or a short retry, within the hold. */
  private async hold(until: number): Promise<void> {
    const { pool, clock, held } = this.ctx;
    held.add(this);
    const done = new AbortController();
    const wait = Math.max(0, Math.min(HELD_RETRY_MS, until - clock.monotonic()));
    try {
      await Promise.race([pool.nextBackend(done.signal), clock.sleep(wait, done.signal).catch(() => undefined)]);
    } finally {
      done.abort();
      held.delete(this);
    }
  }

  private peer(): string {
    return `${this.client.remoteAddress}:${this.client.remotePort}`;
  }
}
