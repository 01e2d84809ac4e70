// One receiver's queue: notifications go out one at a time, in order, each retried with backoff
// on a failure that may pass (no answer, a refused connection, a 5xx, 429). The backlog is bounded:
// when it is full the oldest waiting notification is dropped and counted. Nothing here ever waits
// on the caller's behalf: `push` returns at once, so supervision never waits for a receiver.
import type { Logger } from 'pino';
import type { NotifyTarget } from '../../compose/notify-target.js';
import type { NotificationDelivery } from '../../protocol/api.js';
import type { Notification } from '../core/notify-decision.js';
import type { Clock } from '../ports/clock.js';
import type { Post } from './http-post.js';
import { renderPayload } from './payload.js';

export interface DeliveryLimits {
  backlog: number;
  attempts: number;
  timeoutMs: number;
  firstRetryMs: number;
  maxRetryMs: number;
}

/** 5 tries over about 15 s plus the timeouts; 100 waiting, which a receiver that is down for hours still drops from the front. */
export const DEFAULT_LIMITS: DeliveryLimits = { backlog: 100, attempts: 5, timeoutMs: 5_000, firstRetryMs: 1_000, maxRetryMs: 30_000 };

/** One receiver's counters, as status shows them (the scope is the notifier's to say). */
export type DeliveryStats = Omit<NotificationDelivery, 'scope'>;

export class EndpointQueue {
  private readonly waiting: Notification[] = [];
  private readonly stats: DeliveryStats;
  private running = false;
  private closed = false;
  private readonly stop = new AbortController();

  constructor(
    readonly target: NotifyTarget,
    label: string,
    private readonly deps: { clock: Clock; post: Post; logger: Logger },
    private readonly limits: DeliveryLimits = DEFAULT_LIMITS,
  ) {
    this.stats = { endpoint: label, sent: 0, failed: 0, dropped: 0, queued: 0 };
  }

  push(n: Notification): void {
    if (this.closed) return;
    this.waiting.push(n);
    while (this.waiting.length > this.limits.backlog) {
      this.waiting.shift();
      this.stats.dropped++;
    }
    if (!this.running) void this.drain();
  }

  snapshot(): DeliveryStats {
    return { ...this.stats, queued: this.waiting.length + (this.running ? 1 : 0) };
  }

  /** Idle: nothing waiting and nothing in flight. */
  get idle(): boolean {
    return !this.running && this.waiting.length === 0;
  }

  close(): void {
    this.closed = true;
    this.stop.abort();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let next = this.waiting.shift(); next && !this.closed; next = this.waiting.shift()) await this.deliver(next);
    } finally {
      this.running = false;
    }
  }

  private async deliver(n: Notification): Promise<void> {
    const payload = renderPayload(this.target.format, n);
    const log = this.deps.logger.child({ endpoint: this.stats.endpoint, notification: n.type });
    let delay = this.limits.firstRetryMs;
    for (let attempt = 1; ; attempt++) {
      const result = await this.deps.post(this.target.url, payload, this.limits.timeoutMs);
      if (result.ok) {
        this.stats.sent++;
        this.stats.lastSentAt = new Date(this.deps.clock.now()).toISOString();
        log.info({ project: n.project, service: n.service }, 'notification sent');
        return;
      }
      this.stats.lastError = result.error;
      this.stats.lastErrorAt = new Date(this.deps.clock.now()).toISOString();
      if (!result.retry || attempt >= this.limits.attempts) {
        this.stats.failed++;
        log.warn({ error: result.error, attempts: attempt }, 'notification not delivered');
        return;
      }
      log.debug({ error: result.error, attempt, retryInMs: delay }, 'notification failed; retrying');
      try {
        await this.deps.clock.sleep(delay, this.stop.signal);
      } catch {
        return; // closed while waiting
      }
      delay = Math.min(delay * 2, this.limits.maxRetryMs);
    }
  }
}
