// A TCP load balancer for one published port: listens on the given host only and forwards each
// connection to the ready backend with the fewest open connections (round-robin among equals).
// Nothing a client or a backend does may throw out of here: the daemon hosting it must survive.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../ports/clock.js';
import type { Backend, BackendStats } from './backend.js';
import { BackendPool } from './backend-pool.js';
import { ClientLink, type LinkContext } from './client-link.js';

export type { Backend, BackendStats } from './backend.js';

export interface TcpBalancerOptions {
  listenHost: string;
  /** 0 picks a free port; read it back from `port` after start(). */
  listenPort: number;
  logger: Logger;
  /** Times drain grace periods. */
  clock?: Clock;
  /** How long one backend may take to accept before the next is tried. */
  connectTimeoutMs?: number;
  /** Hold a connection that finds no backend this long (scale to zero); default 0: reset it. */
  coldStartHoldMs?: number;
}

/** Long enough for a busy container on this host, short enough that a stuck one costs little. */
const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;

export class TcpBalancer {
  private readonly server: Server;
  private readonly pool = new BackendPool<ClientLink>();
  private readonly links = new Set<ClientLink>();
  private readonly held = new Set<ClientLink>();
  private coldStartHoldMs: number;
  private readonly linkContext: LinkContext;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: TcpBalancerOptions) {
    this.logger = options.logger.child({ component: 'balancer', listen: `${options.listenHost}:${options.listenPort}` });
    this.clock = options.clock ?? systemClock;
    this.coldStartHoldMs = options.coldStartHoldMs ?? 0;
    this.linkContext = {
      pool: this.pool,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      logger: this.logger,
      clock: this.clock,
      coldStartHoldMs: () => this.coldStartHoldMs,
      held: this.held,
    };
    // Paused on accept: the client's first bytes wait in the kernel until a backend is connected.
    // Half-open allowed: a client that shuts down its sending side still gets the whole answer.
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (client) =>
      this.accept(client),
    );
  }

  /** The port actually listened on (useful with listenPort 0); 0 before start(). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** Listen; rejects when the address cannot be bound (e.g. EADDRINUSE). */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.listenHost, port: this.options.listenPort }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    // Once listening, a listener error (rare: e.g. EMFILE on accept) is reported, never thrown.
    this.server.on('error', (error) => this.logger.error({ err: error }, 'listener error'));
    this.logger.info({ port: this.port }, 'balancer listening');
  }

  /** Stop listening and cut every open connection; resolves when the port is free. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * The ready replicas. New connections go only to these; a backend left out keeps its open
   * connections until they finish (use drain() to bound that).
   */
  setBackends(backends: readonly Backend[]): void {
    const { added, removed } = this.pool.setBackends(backends);
    if (added.length > 0 || removed.length > 0) {
      this.logger.info({ added, removed, backends: backends.map((b) => b.id) }, 'rotation changed');
    }
  }

  /**
   * Take `id` out of rotation at once, then wait for the connections it holds to finish. Those
   * still open after `graceMs` are cut. Resolves when none is left; an unknown id resolves at once.
   */
  async drain(id: string, graceMs: number): Promise<void> {
    const links = this.pool.retire(id);
    this.logger.info({ backend: id, open: links.length, graceMs }, 'draining backend');
    if (links.length === 0) return;
    let open = links.length;
    const finished = Promise.all(links.map((link) => link.done.then(() => (open -= 1))));
    const graceOver = new AbortController();
    const timedOut = await Promise.race([
      finished.then(() => false),
      this.clock.sleep(graceMs, graceOver.signal).then(
        () => true,
        () => false,
      ),
    ]);
    graceOver.abort();
    if (timedOut) {
      this.logger.warn({ backend: id, cut: open, graceMs }, 'drain grace period over; cutting connections');
      for (const link of links) link.destroy();
      await finished;
    }
    this.logger.info({ backend: id }, 'backend drained');
  }

  /** A service that starts or stops scaling to zero changes the hold of the listener it keeps. */
  setColdStartHold(ms: number): void {
    this.coldStartHoldMs = ms;
  }

  /** A canary: backend `id` gets `weight` % of new connections; undefined ends the weighting. */
  setWeighted(weighted: { id: string; weight: number } | undefined): void {
    this.pool.setWeighted(weighted);
  }

  /** Connections held now because no backend could take them yet. */
  waiting(): number {
    return this.held.size;
  }

  /** Per-backend counters: backends in rotation and retired ones still holding connections, by id. */
  stats(): BackendStats[] {
    return this.pool.stats();
  }

  private accept(client: Socket): void {
    const link = new ClientLink(client, this.linkContext);
    this.links.add(link);
    void link.done.then(() => this.links.delete(link));
  }

  private async shutdown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
    const links = [...this.links];
    for (const link of links) link.destroy();
    await Promise.all([stopped, ...links.map((link) => link.done)]);
    this.logger.info({ cut: links.length }, 'balancer closed');
  }
}
