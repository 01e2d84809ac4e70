// The built-in balancers of every supervised project: one TcpBalancer per balanced published port
// (compose/balanced-ports.ts). Listeners follow the projects (opened on up, closed on down);
// backends follow each sync's listing (ready replicas and ready roll-out surges, on the project
// network); a replica about to be stopped is drained first, so it leaves the rotation and its
// open connections finish (up to stop_grace_period) before the engine stops it.
import type { Logger } from 'pino';
import { balancedPorts } from '../../compose/balanced-ports.js';
import type { PortMapping, Project, Service } from '../../compose/model.js';
import { TcpBalancer, type BackendStats } from './tcp-balancer.js';
import { isReadyContainer } from '../core/observed.js';
import type { ContainerSummary } from '../ports/runtime.js';

interface Listener {
  project: string;
  service: string;
  port: PortMapping;
  balancer: TcpBalancer;
  /** Container id -> name, for status and metrics (a backend's id is its container id). */
  names: Map<string, string>;
}

export interface BalancerStatus {
  listen: string;
  replicas: Array<{ name: string } & Omit<BackendStats, 'id'>>;
}

/** Totals of one balanced replica since it entered the balancer (they reset if it re-enters). */
export interface BalancerSample {
  project: string;
  service: string;
  /** The replica's balancer id, e.g. "web#2". */
  replica: string;
  connections: number;
  bytesIn: number;
  bytesOut: number;
}

/** What the balancer sees of one replica for the autoscaler, over all the service's listeners. */
export interface ReplicaTraffic {
  /** Connections open now (connecting included). */
  active: number;
  /** Connections that reached it since it entered the balancer. */
  total: number;
}

// Long enough for a replica of a service scaled to zero to be created, started and listening on
// this host (about a second for a small image here), short of a client's usual connect patience.
const COLD_START_HOLD_MS = 30_000;

function coldStartHold(service: Service): number {
  return service.composed.autoscale?.min === 0 ? COLD_START_HOLD_MS : 0;
}

export class Balancers {
  private readonly listeners = new Map<string, Listener>();
  private readonly draining = new Set<string>();
  private following: Promise<void> = Promise.resolve();
  /** Why a listener could not open (e.g. the port is in use), by project/service. */
  private readonly errors = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  /** Open the listeners the projects need and close the others (one call at a time). */
  follow(projects: Iterable<Project>): Promise<void> {
    const list = [...projects];
    this.following = this.following.catch(() => undefined).then(() => this.followNow(list));
    return this.following;
  }

  private async followNow(projects: Project[]): Promise<void> {
    const wanted = new Map<string, { project: Project; service: Service; port: PortMapping }>();
    for (const project of projects) {
      for (const service of Object.values(project.services)) {
        for (const port of balancedPorts(service)) wanted.set(listenerKey(project.name, service.name, port), { project, service, port });
      }
    }
    for (const [key, listener] of [...this.listeners]) {
      if (wanted.has(key)) continue;
      this.listeners.delete(key);
      await listener.balancer.close();
    }
    for (const [key, { project, service, port }] of wanted) {
      const open = this.listeners.get(key);
      if (open) {
        open.balancer.setColdStartHold(coldStartHold(service));
        continue;
      }
      const balancer = new TcpBalancer({ listenHost: port.hostIp || '0.0.0.0', listenPort: Number(port.published), logger: this.logger, coldStartHoldMs: coldStartHold(service) });
      const where = `${project.name}/${service.name}`;
      try {
        await balancer.start();
        this.errors.delete(where);
        this.listeners.set(key, { project: project.name, service: service.name, port, balancer, names: new Map() });
        this.logger.info({ project: project.name, service: service.name, listen: addressOf(port) }, 'balancer listening');
      } catch (error) {
        const message = `balancer cannot listen on ${addressOf(port)}: ${error instanceof Error ? error.message : String(error)}`;
        this.errors.set(where, message);
        this.logger.error({ project: project.name, service: service.name }, message);
      }
    }
  }

  /**
   * New connections go to the service's ready containers only; a canary among them gets its weight
   * (percent of new connections) and the others share the rest.
   */
  setBackends(project: Project, service: string, containers: readonly ContainerSummary[], canary?: { containerId: string; weight: number }): void {
    const mine = [...this.listeners.values()].filter((l) => l.project === project.name && l.service === service);
    if (mine.length === 0) return;
    const network = projectNetworkName(project, service);
    const ready = containers.filter(
      (c) => isReadyContainer(c) && !this.draining.has(c.id) && addressIn(c, network),
    );
    for (const listener of mine) {
      for (const c of ready) listener.names.set(c.id, c.name.replace(/-next$/, ''));
      listener.balancer.setBackends(ready.map((c) => ({ id: c.id, host: addressIn(c, network)!, port: listener.port.target })));
      listener.balancer.setWeighted(canary && { id: canary.containerId, weight: canary.weight });
    }
  }

  /** Connections a replica refused or reset, over all the service's listeners. */
  errorsOf(project: string, service: string, containerId: string): { refused: number; reset: number } {
    const errors = { refused: 0, reset: 0 };
    for (const l of this.listeners.values()) {
      if (l.project !== project || l.service !== service) continue;
      const s = l.balancer.stats().find((b) => b.id === containerId);
      if (!s) continue;
      errors.refused += s.failures;
      errors.reset += s.resets;
    }
    return errors;
  }

  /** Take a container out of rotation and wait for its open connections (at most graceMs). */
  async drain(containerId: string, graceMs: number): Promise<void> {
    const holding = [...this.listeners.values()].filter((l) => l.balancer.stats().some((s) => s.id === containerId));
    this.draining.add(containerId);
    await Promise.all(holding.map((l) => l.balancer.drain(containerId, graceMs)));
  }

  /** The container is gone: forget it. */
  forget(containerId: string): void {
    this.draining.delete(containerId);
    for (const l of this.listeners.values()) l.names.delete(containerId);
  }

  /** Why a service's balanced port could not be opened, while it cannot. */
  errorOf(serviceKey: string): string | undefined {
    return this.errors.get(serviceKey);
  }

  statusOf(project: string, service: string): BalancerStatus[] {
    return [...this.listeners.values()]
      .filter((l) => l.project === project && l.service === service)
      .map((l) => ({
        listen: addressOf(l.port),
        replicas: l.balancer.stats().map(({ id, ...counters }) => ({ name: l.names.get(id) ?? id.slice(0, 12), ...counters })),
      }));
  }

  /** Per container id: its connections over all the service's listeners. */
  trafficOf(project: string, service: string): Map<string, ReplicaTraffic> {
    const traffic = new Map<string, ReplicaTraffic>();
    for (const l of this.listeners.values()) {
      if (l.project !== project || l.service !== service) continue;
      for (const s of l.balancer.stats()) {
        const sum = traffic.get(s.id) ?? { active: 0, total: 0 };
        traffic.set(s.id, { active: sum.active + s.active, total: sum.total + s.total });
      }
    }
    return traffic;
  }

  /** Connections held for the service because none of its replicas could take them yet. */
  waitingFor(project: string, service: string): number {
    let waiting = 0;
    for (const l of this.listeners.values()) if (l.project === project && l.service === service) waiting += l.balancer.waiting();
    return waiting;
  }

  samples(): BalancerSample[] {
    return [...this.listeners.values()].flatMap((l) =>
      l.balancer.stats().map((s) => ({ project: l.project, service: l.service, replica: l.names.get(s.id) ?? s.id.slice(0, 12), connections: s.total, bytesIn: s.bytesIn, bytesOut: s.bytesOut })),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((l) => l.balancer.close()));
    this.listeners.clear();
  }
}

function listenerKey(project: string, service: string, port: PortMapping): string {
  return `${project}/${service}/${addressOf(port)}`;
}

function addressOf(port: PortMapping): string {
  return `${port.hostIp || '0.0.0.0'}:${port.published}`;
}

/** The engine name of the network the balancer reaches the service on: its first network. */
function projectNetworkName(project: Project, service: string): string | undefined {
  const networks = Object.entries(project.services[service]?.networks ?? {}).sort(([a, x], [b, y]) => y.priority - x.priority || a.localeCompare(b));
  const first = networks[0]?.[0];
  return first ? project.networks[first]?.name : undefined;
}

function addressIn(container: ContainerSummary, network: string | undefined): string | undefined {
  return (network && container.addresses[network]) || Object.values(container.addresses)[0];
}
