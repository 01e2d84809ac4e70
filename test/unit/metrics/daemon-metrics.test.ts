import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import type { BalancerSample } from '../../../src/daemon/balancer/balancers.js';
import { restartReason } from '../../../src/daemon/core/restart-policy.js';
import { DaemonMetrics, type ServiceSample } from '../../../src/daemon/metrics/daemon-metrics.js';

async function scrape(metrics: DaemonMetrics): Promise<Map<string, ParsedFamily>> {
  const { contentType, body } = await metrics.render();
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusTextFormat(body);
  return new Map(families.map((f) => [f.name, f]));
}

/** Samples of a family as "label=value,... -> value", sorted, for readable comparisons. */
function samples(families: Map<string, ParsedFamily>, name: string): string[] {
  const family = families.get(name);
  if (!family) return [];
  return family.metrics
    .map((m) => `${Object.entries(m.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')} -> ${Number(m.value)}`)
    .sort();
}

const WEB: ServiceSample = { project: 'shop', service: 'web', desired: 3, running: 3, ready: 2, lastExitCode: 137 };
const CPU: ServiceSample = { project: 'shop', service: 'cpu', desired: 4, running: 4, ready: 4, cpuAverage: 72.5, autoscaleDesired: 4 };

describe('DaemonMetrics', () => {
  it('reports replicas desired, running and ready per service from the snapshot at scrape time', async () => {
    let services = [WEB, CPU];
    const metrics = new DaemonMetrics({ services: () => services });
    let families = await scrape(metrics);
    expect(families.get('composed_replicas_desired')?.type).toBe('GAUGE');
    expect(samples(families, 'composed_replicas_desired')).toEqual(['project=shop,service=cpu -> 4', 'project=shop,service=web -> 3']);
    expect(samples(families, 'composed_replicas_running')).toEqual(['project=shop,service=cpu -> 4', 'project=shop,service=web -> 3']);
    expect(samples(families, 'composed_replicas_ready')).toEqual(['project=shop,service=cpu -> 4', 'project=shop,service=web -> 2']);
    expect(samples(families, 'composed_last_exit_code')).toEqual(['project=shop,service=web -> 137']);
    expect(samples(families, 'composed_autoscale_cpu_average_percent')).toEqual(['project=shop,service=cpu -> 72.5']);
    expect(samples(families, 'composed_autoscale_desired_replicas')).toEqual(['project=shop,service=cpu -> 4']);

    services = [{ ...WEB, ready: 3 }];
    families = await scrape(metrics);
    expect(samples(families, 'composed_replicas_ready')).toEqual(['project=shop,service=web -> 3']);
    expect(samples(families, 'composed_autoscale_cpu_average_percent')).toEqual([]);
  });

  it('counts restarts by reason, and the counters move', async () => {
    const metrics = new DaemonMetrics({ services: async () => [WEB] });
    metrics.countRestart('shop', 'web', 'exit');
    let families = await scrape(metrics);
    expect(families.get('composed_restarts_total')?.type).toBe('COUNTER');
    expect(samples(families, 'composed_restarts_total')).toEqual(['project=shop,service=web,reason=exit -> 1']);

    metrics.countRestart('shop', 'web', 'exit');
    metrics.countRestart('shop', 'web', 'oom');
    metrics.countRestart('shop', 'worker', 'unhealthy');
    families = await scrape(metrics);
    expect(samples(families, 'composed_restarts_total')).toEqual([
      'project=shop,service=web,reason=exit -> 2',
      'project=shop,service=web,reason=oom -> 1',
      'project=shop,service=worker,reason=unhealthy -> 1',
    ]);
  });

  it('tells an OOM kill apart from other exits', () => {
    expect(restartReason({ cause: 'exit', oomKilled: true })).toBe('oom');
    expect(restartReason({ cause: 'exit', oomKilled: false })).toBe('exit');
    expect(restartReason({ cause: 'unhealthy', oomKilled: false })).toBe('unhealthy');
    expect(restartReason({ cause: 'removed', oomKilled: false })).toBe('removed');
  });

  it('observes reconcile durations in a histogram and counts event stream reconnects', async () => {
    const metrics = new DaemonMetrics({ services: () => [] });
    expect(samples(await scrape(metrics), 'composed_event_stream_reconnects_total')).toEqual([' -> 0']);
    metrics.observeReconcile(0.004);
    metrics.observeReconcile(0.3);
    metrics.countReconnect();
    metrics.countReconnect();
    const families = await scrape(metrics);
    const histogram = families.get('composed_reconcile_duration_seconds');
    expect(histogram?.type).toBe('HISTOGRAM');
    expect(histogram?.metrics[0]).toMatchObject({ count: '2', sum: '0.304', buckets: { '0.005': '1', '0.25': '1', '0.5': '2', '+Inf': '2' } });
    expect(samples(families, 'composed_event_stream_reconnects_total')).toEqual([' -> 2']);
  });

  it('mirrors the balancer totals per replica when given a balancer snapshot', async () => {
    let balancer: BalancerSample[] = [{ project: 'shop', service: 'web', replica: 'web#1', connections: 5, bytesIn: 100, bytesOut: 2_000 }];
    const metrics = new DaemonMetrics({ services: () => [], balancer: () => balancer });
    let families = await scrape(metrics);
    expect(samples(families, 'composed_balancer_connections_total')).toEqual(['project=shop,service=web,replica=web#1 -> 5']);
    expect(samples(families, 'composed_balancer_bytes_total')).toEqual([
      'project=shop,service=web,replica=web#1,direction=in -> 100',
      'project=shop,service=web,replica=web#1,direction=out -> 2000',
    ]);
    balancer = [{ project: 'shop', service: 'web', replica: 'web#2', connections: 1, bytesIn: 10, bytesOut: 20 }];
    families = await scrape(metrics);
    expect(samples(families, 'composed_balancer_connections_total')).toEqual(['project=shop,service=web,replica=web#2 -> 1']);
  });

  it('has no balancer families without a balancer snapshot', async () => {
    const families = await scrape(new DaemonMetrics({ services: () => [] }));
    expect(families.has('composed_balancer_connections_total')).toBe(false);
  });

  it('keeps each instance to its own registry', async () => {
    const first = new DaemonMetrics({ services: () => [] });
    const second = new DaemonMetrics({ services: () => [] });
    first.countReconnect();
    expect(samples(await scrape(second), 'composed_event_stream_reconnects_total')).toEqual([' -> 0']);
    expect(samples(await scrape(first), 'composed_event_stream_reconnects_total')).toEqual([' -> 1']);
  });

  it('reports the daemon memory at each scrape and its event-loop delay from the second on', async () => {
    const metrics = new DaemonMetrics({ services: () => [] });
    let families = await scrape(metrics);
    expect(Number(families.get('composed_process_resident_memory_bytes')?.metrics[0]?.value)).toBeGreaterThan(0);
    expect(Number(families.get('composed_process_heap_used_bytes')?.metrics[0]?.value)).toBeGreaterThan(0);
    expect(samples(families, 'composed_event_loop_delay_p99_seconds')).toEqual([' -> 0']);
    families = await scrape(metrics);
    expect(Number(families.get('composed_event_loop_delay_p99_seconds')?.metrics[0]?.value)).toBeGreaterThanOrEqual(0);
  });
});
