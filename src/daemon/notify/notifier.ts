// Tells people when something goes wrong and when it is right again. The daemon's events only
// prompt a look (within a second); every few seconds it looks anyway. A look reads the world as
// `status` shows it, asks core/notify-decision what to say, and hands each notification to the
// queues of its receivers: the daemon's (`--notify`) get everything, a project's (x-composed.notify)
// get that project's and the engine's. Handing over never waits for a receiver.
import type { Logger } from 'pino';
import { parseNotifyTarget, type NotifyTarget } from '../../compose/notify-target.js';
import type { NotificationDelivery } from '../../protocol/api.js';
import type { WorldSnapshot } from '../core/notify-conditions.js';
import { NotifyDecider, type Notification } from '../core/notify-decision.js';
import type { EventLog } from '../events/event-log.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { ProjectView } from '../state/state-store.js';
import { DEFAULT_LIMITS, EndpointQueue, type DeliveryLimits } from './endpoint-queue.js';
import { httpPost, type Post } from './http-post.js';
import { redact, secretsOf } from './redact.js';

/** How soon after an event the world is looked at; events come in bursts (a plan's worth at a time). */
const EVENT_DELAY_MS = 1_000;
/** The look that needs no event: time-based problems (a crash loop gone quiet, autoscaling held at max, a summary due). */
const LOOK_INTERVAL_MS = 5_000;

/** What the notifier reads of a supervised project. */
export type ProjectNotify = Pick<ProjectView, 'name' | 'project'>;

export interface NotifierDeps {
  clock: Clock;
  logger: Logger;
  events: Pick<EventLog, 'subscribe'>;
  /** The supervised projects (for their x-composed.notify and the environment values to keep out). */
  projects: () => readonly ProjectNotify[];
  /** The world as `status` shows it, from the last listing: never a call to the engine. */
  world: () => WorldSnapshot;
  /** The daemon's own receivers (`--notify`, COMPOSED_NOTIFY), already checked. */
  daemonTargets: readonly NotifyTarget[];
  post?: Post;
  limits?: DeliveryLimits;
}

export class Notifier {
  private readonly decider = new NotifyDecider();
  /** By format and URL; the daemon's first, then the projects' as their files name them. */
  private readonly queues = new Map<string, EndpointQueue>();
  private readonly daemonKeys = new Set<string>();
  private readonly projectKeys = new Map<string, Set<string>>();
  private readonly post: Post;
  private soon?: Timer;
  private repeating?: Timer;
  private unsubscribe?: () => void;

  constructor(private readonly deps: NotifierDeps) {
    this.post = deps.post ?? httpPost(deps.clock);
    for (const target of deps.daemonTargets) this.daemonKeys.add(this.queueFor(target));
  }

  start(): void {
    this.unsubscribe = this.deps.events.subscribe((event) => {
      if (event.type !== 'progress') this.lookSoon();
    });
    this.repeating = this.deps.clock.setRepeating(LOOK_INTERVAL_MS, () => this.look());
    this.look();
  }

  stop(): void {
    this.unsubscribe?.();
    this.soon?.cancel();
    this.repeating?.cancel();
    for (const queue of this.queues.values()) queue.close();
  }

  /** The receivers of one project's notifications and how delivery to them goes. */
  deliveriesFor(project: string): NotificationDelivery[] {
    const out: NotificationDelivery[] = [];
    for (const key of this.daemonKeys) out.push({ ...this.queues.get(key)!.snapshot(), scope: 'daemon' });
    for (const key of this.projectKeys.get(project) ?? []) if (!this.daemonKeys.has(key)) out.push({ ...this.queues.get(key)!.snapshot(), scope: 'project' });
    return out;
  }

  /** Every receiver's counters, for /metrics. */
  deliveries(): NotificationDelivery[] {
    return [...this.queues.entries()].map(([key, queue]) => ({ ...queue.snapshot(), scope: this.daemonKeys.has(key) ? 'daemon' : 'project' }));
  }

  /** Looks now; exposed so tests drive it without waiting for the interval. */
  look(): void {
    try {
      const projects = this.deps.projects();
      this.followProjects(projects);
      // Nobody to tell: no reading either, so a daemon without receivers pays nothing.
      if (this.queues.size === 0) return;
      const secrets = new Map(projects.map((p) => [p.name, secretsOf(p.project)]));
      for (const n of this.decider.observe(this.deps.world(), this.deps.clock.now())) this.hand(redact(n, n.project ? (secrets.get(n.project) ?? []) : []));
    } catch (error) {
      this.deps.logger.error({ err: error }, 'looking for notifications failed');
    }
  }

  private lookSoon(): void {
    if (this.soon) return;
    this.soon = this.deps.clock.setTimer(EVENT_DELAY_MS, () => {
      this.soon = undefined;
      this.look();
    });
  }

  private hand(n: Notification): void {
    const keys = new Set(this.daemonKeys);
    if (n.project !== null) for (const key of this.projectKeys.get(n.project) ?? []) keys.add(key);
    else for (const set of this.projectKeys.values()) for (const key of set) keys.add(key);
    for (const key of keys) this.queues.get(key)?.push(n);
  }

  /** Queues for the receivers the files name now; one no file names any more goes once it is idle. */
  private followProjects(projects: readonly ProjectNotify[]): void {
    this.projectKeys.clear();
    for (const { name, project } of projects) {
      const keys = new Set<string>();
      for (const text of project.notify ?? []) {
        const target = parseNotifyTarget(text);
        if ('error' in target) continue; // the loader refused such a file; a record from before is not a reason to fail
        keys.add(this.queueFor(target));
      }
      if (keys.size > 0) this.projectKeys.set(name, keys);
    }
    const named = new Set([...this.daemonKeys, ...[...this.projectKeys.values()].flatMap((s) => [...s])]);
    for (const [key, queue] of this.queues) {
      if (named.has(key) || !queue.idle) continue;
      queue.close();
      this.queues.delete(key);
    }
  }

  private queueFor(target: NotifyTarget): string {
    const key = `${target.format} ${target.url}`;
    if (!this.queues.has(key)) {
      // Two receivers on one host (two ntfy topics) are told apart by a number, not by their paths.
      const same = [...this.queues.values()].filter((q) => q.target.label === target.label).length;
      const label = same === 0 ? target.label : `${target.label}#${same + 1}`;
      this.queues.set(key, new EndpointQueue(target, label, { clock: this.deps.clock, post: this.post, logger: this.deps.logger }, this.deps.limits ?? DEFAULT_LIMITS));
    }
    return key;
  }
}
