// healthcheck -> liveness and readiness exec probes.
import { describe, expect, it } from 'vitest';
import type { Healthcheck, Service } from '../../../src/compose/model.js';
import type { Container } from '../../../src/export/kubernetes/manifest.js';
import { serviceFixture } from '../../support/fixtures.js';
import { find, projectOf, run } from './support.js';

function probed(healthcheck: Healthcheck, over: Partial<Service> = {}): { c: Container; warnings: string[] } {
  const r = run(projectOf([serviceFixture('db', { healthcheck, ...over })]));
  return { c: find(r, 'Deployment', 'db').spec!.template.spec!.containers[0]!, warnings: r.warningLines };
}

describe('healthcheck -> probes', () => {
  it('CMD runs the argv; timing comes from interval, timeout, retries and start_period', () => {
    const { c } = probed({ test: ['CMD', 'pg_isready', '-U', 'app'], intervalMs: 10_000, timeoutMs: 5_000, retries: 5, startPeriodMs: 30_000 });
    const base = { exec: { command: ['pg_isready', '-U', 'app'] }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 5 };
    expect(c.livenessProbe).toEqual({ ...base, initialDelaySeconds: 30 });
    // Ready from the first passing check, as a container is healthy from its first passing check.
    expect(c.readinessProbe).toEqual(base);
  });

  it('CMD-SHELL runs the command in /bin/sh -c', () => {
    const { c } = probed({ test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] });
    expect(c.readinessProbe?.exec?.command).toEqual(['/bin/sh', '-c', 'curl -f http://localhost/ || exit 1']);
  });

  it("Docker's defaults fill what the healthcheck leaves out (30s, 30s, 3 retries, no start period)", () => {
    const { c } = probed({ test: ['CMD', 'true'] });
    expect(c.livenessProbe).toEqual({ exec: { command: ['true'] }, periodSeconds: 30, timeoutSeconds: 30, failureThreshold: 3 });
  });

  it('rounds sub-second durations up to whole seconds, at least one', () => {
    const { c } = probed({ test: ['CMD', 'true'], intervalMs: 500, timeoutMs: 1_500, startPeriodMs: 2_500 });
    expect(c.livenessProbe).toMatchObject({ periodSeconds: 1, timeoutSeconds: 2, initialDelaySeconds: 3 });
  });

  it('NONE (the image healthcheck disabled) gives no probes', () => {
    const { c } = probed({ test: ['NONE'] });
    expect(c).not.toHaveProperty('livenessProbe');
    expect(c).not.toHaveProperty('readinessProbe');
  });

  it('a service that ignores unhealthy replicas gets readiness only', () => {
    const { c } = probed({ test: ['CMD', 'true'] }, { composed: { onUnhealthy: 'ignore', balance: true } });
    expect(c).not.toHaveProperty('livenessProbe');
    expect(c.readinessProbe?.exec?.command).toEqual(['true']);
  });

  it('start_interval is a warning', () => {
    const { warnings } = probed({ test: ['CMD', 'true'], startIntervalMs: 1_000 });
    expect(warnings).toContain('services.db.healthcheck.start_interval: not carried over: probes run at the interval during the start period too');
  });
});
