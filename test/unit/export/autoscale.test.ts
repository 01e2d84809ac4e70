// x-composed.autoscale -> HorizontalPodAutoscaler (autoscaling/v2).
import { describe, expect, it } from 'vitest';
import type { Autoscale, Service } from '../../../src/compose/model.js';
import { serviceFixture } from '../../support/fixtures.js';
import { find, projectOf, run, volumeOf } from './support.js';

const spec = (over: Partial<Autoscale> = {}): Autoscale => ({
  min: 2, max: 8, cpu: { target: 60 }, intervalMs: 5000, scaleUpStabilizationMs: 0, scaleDownStabilizationMs: 60_000, ...over,
});

function scaled(a: Autoscale, over: Partial<Service> = {}) {
  const web = serviceFixture('web', { composed: { autoscale: a, onUnhealthy: 'replace', balance: true }, resources: { limits: { cpus: 0.5 }, reservations: {} }, ...over });
  return run(projectOf([web], { volumes: { data: volumeOf('data') } }));
}

describe('autoscale -> HorizontalPodAutoscaler', () => {
  it('keeps min, max, the CPU target as averageUtilization and both stabilization windows', () => {
    const r = scaled(spec({ scaleUpStabilizationMs: 15_000, scaleDownStabilizationMs: 120_000 }));
    expect(find(r, 'HorizontalPodAutoscaler', 'web').spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 8,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
      behavior: { scaleUp: { stabilizationWindowSeconds: 15 }, scaleDown: { stabilizationWindowSeconds: 120 } },
    });
  });

  it('requests the CPU limit, so the percentage is of the same CPU composed measures against', () => {
    const r = scaled(spec());
    expect(find(r, 'Deployment', 'web').spec?.template.spec?.containers[0]?.resources).toEqual({ limits: { cpu: '500m' }, requests: { cpu: '500m' } });
  });

  it('without a CPU limit the target is an absolute share of one core', () => {
    const r = scaled(spec({ cpu: { target: 60 } }), { resources: { limits: {}, reservations: {} } });
    expect(find(r, 'HorizontalPodAutoscaler', 'web').spec?.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '600m' } } }]);
  });

  it('targets the StatefulSet when the service is one', () => {
    const r = scaled(spec(), { volumes: [{ type: 'volume', source: 'data', target: '/data', readOnly: false, nocopy: false }] });
    expect(find(r, 'HorizontalPodAutoscaler', 'web').spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web' });
  });

  it('thresholds are warnings: the autoscaler has one cluster-wide tolerance', () => {
    const r = scaled(spec({ cpu: { target: 60, scaleUpAbove: 80, scaleDownBelow: 30 } }));
    expect(r.warningLines).toContain('services.web.x-composed.autoscale.cpu.scale_up_above: not carried over: the autoscaler acts when CPU is more than 10% off the target (the cluster-wide tolerance)');
    expect(r.warningLines).toContain('services.web.x-composed.autoscale.cpu.scale_down_below: not carried over: the autoscaler acts when CPU is more than 10% off the target (the cluster-wide tolerance)');
  });

  it('rounds a fractional target and shortens windows longer than an hour, with warnings', () => {
    const r = scaled(spec({ cpu: { target: 62.5 }, scaleDownStabilizationMs: 2 * 3600_000 }));
    const hpa = find(r, 'HorizontalPodAutoscaler', 'web');
    expect(hpa.spec?.metrics?.[0]?.resource?.target.averageUtilization).toBe(63);
    expect(hpa.spec?.behavior?.scaleDown?.stabilizationWindowSeconds).toBe(3600);
    expect(r.warningLines).toContain('services.web.x-composed.autoscale.cpu.target: rounded to 63%: the autoscaler takes whole percents');
    expect(r.warningLines).toContain('services.web.x-composed.autoscale.scale_down_stabilization: shortened to 3600s, the longest window the autoscaler takes');
  });

  it('a Job is not scaled: a warning and no autoscaler', () => {
    const r = scaled(spec(), { restart: { condition: 'none', unlessStopped: false, delayMs: 100, maxDelayMs: 60_000, windowMs: 10_000 } });
    expect(r.manifests.some((m) => m.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(r.warningLines).toContain('services.web.x-composed.autoscale: not carried over: a Job is not scaled (set restart: always to make the service a Deployment)');
  });
});

