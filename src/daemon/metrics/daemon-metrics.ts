// Prometheus metrics for /metrics. The daemon counts what happens (restarts, reconciles, event
// stream reconnects) as it happens; what *is* (replicas, CPU, balancer totals) is read from
// snapshots at scrape time, so the numbers never drift from what `composed status` shows.
// Each instance owns its Registry: no process-wide default registry, so tests and daemons don't mix.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BalancerSample } from '../balancer/balancers.js';
import type { RestartReason } from '../core/restart-policy.js';
import type { NotificationDelivery } from '../../protocol/api.js';
import { ProcessGauges } from './process-gauges.js';

/** One service as the controller sees it now. */
export interface ServiceSample {
  project: string;
  service: string;
  desired: number;
  running: number;
  ready: number;
  lastExitCode?: number;
  /** Average CPU percent the autoscaler last measured; only for autoscaled services. */
  cpuAverage?: number;
  /** Replica count the autoscaler last decided; only for autoscaled services. */
  autoscaleDesired?: number;
}

type Snapshot<T> = () => T[] | Promise<T[]>;

export interface DaemonMetricsOptions {
  services: Snapshot<ServiceSample>;
  balancer?: Snapshot<BalancerSample>;
  /** Each notification receiver's counters (labelled by format and scheme://host only). */
  notifications?: Snapshot<NotificationDelivery>;
}

export interface RenderedMetrics {
  contentType: string;
  body: string;
}

/** Which restart counter an exit goes to: an OOM kill is told apart from other exits. */
const SERVICE_LABELS = ['project', 'service'] as const;
const REPLICA_LABELS = ['project', 'service', 'replica'] as const;

export class DaemonMetrics {
  private readonly registry = new Registry();
  private readonly registers = [this.registry];
  private readonly replicasDesired = this.gauge('composed_replicas_desired', 'Replicas the project asks for, after autoscaling.');
  private readonly replicasRunning = this.gauge('composed_replicas_running', 'Replicas whose container is running.');
  private readonly replicasReady = this.gauge('composed_replicas_ready', 'Replicas running and healthy (or without a healthcheck).');
  private readonly lastExitCode = this.gauge('composed_last_exit_code', 'Exit code of the most recent replica exit of the service.');
  private readonly cpuAverage = this.gauge('composed_autoscale_cpu_average_percent', 'Average CPU percent of ready replicas, as the autoscaler last measured it.');
  private readonly autoscaleDesired = this.gauge('composed_autoscale_desired_replicas', 'Replica count the autoscaler last decided.');
  private readonly restarts = new Counter({
    name: 'composed_restarts_total',
    help: 'Replicas replaced, by why the previous one ended.',
    labelNames: ['project', 'service', 'reason'] as const,
    registers: this.registers,
  });
  private readonly reconcileDuration = new Histogram({
    name: 'composed_reconcile_duration_seconds',
    help: 'Time one reconcile of a project took, from observing to executing its plan.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: this.registers,
  });
  private readonly reconnects = new Counter({
    name: 'composed_event_stream_reconnects_total',
    help: 'Times the Docker event stream was lost and opened again.',
    registers: this.registers,
  });
  private readonly notifications = {
    sent: this.endpointCounter('composed_notifications_sent_total', 'Notifications the receiver accepted.'),
    failed: this.endpointCounter('composed_notifications_failed_total', 'Notifications given up on after the last try, or refused by the receiver.'),
    dropped: this.endpointCounter('composed_notifications_dropped_total', 'Notifications pushed out of a full backlog before they were tried.'),
    queued: new Gauge({ name: 'composed_notifications_queued', help: 'Notifications waiting for the receiver or in flight.', labelNames: ['endpoint'] as const, registers: this.registers }),
  };
  private readonly process = new ProcessGauges(this.registry);
  private readonly balancerConnections: Counter<(typeof REPLICA_LABELS)[number]> | undefined;
  private readonly balancerBytes: Counter<(typeof REPLICA_LABELS)[number] | 'direction'> | undefined;

  constructor(private readonly options: DaemonMetricsOptions) {
    if (options.balancer) {
      this.balancerConnections = new Counter({
        name: 'composed_balancer_connections_total',
        help: 'Client connections the balancer forwarded to the replica.',
        labelNames: REPLICA_LABELS,
        registers: this.registers,
      });
      this.balancerBytes = new Counter({
        name: 'composed_balancer_bytes_total',
        help: 'Bytes the balancer forwarded: in = client to replica, out = replica to client.',
        labelNames: [...REPLICA_LABELS, 'direction'] as const,
        registers: this.registers,
      });
    }
  }

  countRestart(project: string, service: string, reason: RestartReason): void {
    this.restarts.inc({ project, service, reason });
  }

  observeReconcile(seconds: number): void {
    this.reconcileDuration.observe(seconds);
  }

  countReconnect(): void {
    this.reconnects.inc();
  }

  /** The Prometheus text exposition, with gauges taken from one fresh snapshot. */
  async render(): Promise<RenderedMetrics> {
    const [services, balancer, notifications] = await Promise.all([this.options.services(), this.options.balancer?.() ?? [], this.options.notifications?.() ?? []]);
    // Synchronous from reset to the last set: a concurrent scrape never sees half a snapshot.
    this.applyServices(services);
    this.applyBalancer(balancer);
    this.applyNotifications(notifications);
    this.process.update();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private applyServices(samples: ServiceSample[]): void {
    // Reset first so services that left (project down, service removed) disappear from the output.
    const gauges = [this.replicasDesired, this.replicasRunning, this.replicasReady, this.lastExitCode, this.cpuAverage, this.autoscaleDesired];
    for (const gauge of gauges) gauge.reset();
    for (const s of samples) {
      const labels = { project: s.project, service: s.service };
      this.replicasDesired.set(labels, s.desired);
      this.replicasRunning.set(labels, s.running);
      this.replicasReady.set(labels, s.ready);
      if (s.lastExitCode !== undefined) this.lastExitCode.set(labels, s.lastExitCode);
      if (s.cpuAverage !== undefined) this.cpuAverage.set(labels, s.cpuAverage);
      if (s.autoscaleDesired !== undefined) this.autoscaleDesired.set(labels, s.autoscaleDesired);
    }
  }

  private applyBalancer(samples: BalancerSample[]): void {
    if (!this.balancerConnections || !this.balancerBytes) return;
    // The balancer keeps the totals; these counters only mirror them (prom-client counters can
    // only go up, so mirroring is reset + inc by the total).
    this.balancerConnections.reset();
    this.balancerBytes.reset();
    for (const s of samples) {
      const labels = { project: s.project, service: s.service, replica: s.replica };
      this.balancerConnections.inc(labels, s.connections);
      this.balancerBytes.inc({ ...labels, direction: 'in' }, s.bytesIn);
      this.balancerBytes.inc({ ...labels, direction: 'out' }, s.bytesOut);
    }
  }

  private applyNotifications(samples: NotificationDelivery[]): void {
    // The queues keep the totals, as the balancer does; the counters mirror them.
    const { sent, failed, dropped, queued } = this.notifications;
    for (const metric of [sent, failed, dropped, queued]) metric.reset();
    for (const s of samples) {
      const labels = { endpoint: s.endpoint };
      sent.inc(labels, s.sent);
      failed.inc(labels, s.failed);
      dropped.inc(labels, s.dropped);
      queued.set(labels, s.queued);
    }
  }

  private endpointCounter(name: string, help: string): Counter<'endpoint'> {
    return new Counter({ name, help, labelNames: ['endpoint'] as const, registers: this.registers });
  }

  private gauge(name: string, help: string): Gauge<(typeof SERVICE_LABELS)[number]> {
    return new Gauge({ name, help, labelNames: SERVICE_LABELS, registers: this.registers });
  }
}
