// Which workload a service becomes, with its replicas, roll-out strategy, retries and labels.
import { describe, expect, it } from 'vitest';
import type { RestartPolicy } from '../../../src/compose/model.js';
import { serviceFixture } from '../../support/fixtures.js';
import { find, projectOf, run, volumeOf } from './support.js';

const restart = (over: Partial<RestartPolicy>): RestartPolicy => ({ condition: 'any', unlessStopped: false, delayMs: 100, maxDelayMs: 60_000, windowMs: 10_000, ...over });
const autoscale = { min: 1, max: 3, cpu: { target: 50 }, intervalMs: 5000, scaleUpStabilizationMs: 0, scaleDownStabilizationMs: 60_000 };

describe('restart semantics choose the workload', () => {
  it('restart: always is a Deployment with the replica count', () => {
    const r = run(projectOf([serviceFixture('web', { restart: restart({ condition: 'any' }), replicas: 3 })]));
    const d = find(r, 'Deployment', 'web');
    expect(d.spec?.replicas).toBe(3);
    expect(d.spec?.template.spec?.restartPolicy).toBeUndefined();
  });

  it('restart: unless-stopped is a Deployment too', () => {
    const r = run(projectOf([serviceFixture('web', { restart: restart({ condition: 'any', unlessStopped: true }) })]));
    expect(find(r, 'Deployment', 'web').kind).toBe('Deployment');
  });

  it('restart: "no" is a Job that runs each replica once and never retries', () => {
    const r = run(projectOf([serviceFixture('migrate', { restart: restart({ condition: 'none' }), replicas: 2 })]));
    const j = find(r, 'Job', 'migrate');
    expect(j.spec).toMatchObject({ parallelism: 2, completions: 2, backoffLimit: 0 });
    expect(j.spec?.template.spec?.restartPolicy).toBe('Never');
    expect(r.manifests.some((m) => m.kind === 'Deployment')).toBe(false);
  });

  it('restart: on-failure:5 is a Job restarted on failure at most 5 times', () => {
    const r = run(projectOf([serviceFixture('import', { restart: restart({ condition: 'on-failure', maxAttempts: 5 }) })]));
    const j = find(r, 'Job', 'import');
    expect(j.spec?.backoffLimit).toBe(5);
    expect(j.spec?.template.spec?.restartPolicy).toBe('OnFailure');
  });

  it('on-failure without a count retries without a limit (the largest backoffLimit)', () => {
    const r = run(projectOf([serviceFixture('import', { restart: restart({ condition: 'on-failure' }) })]));
    expect(find(r, 'Job', 'import').spec?.backoffLimit).toBe(2_147_483_647);
  });

  it('a Job that serves ports gets a hint that restart decides the workload', () => {
    const r = run(projectOf([serviceFixture('web', { restart: restart({ condition: 'none' }), expose: ['80'] })]));
    expect(r.warningLines).toContain('services.web.restart: "no" (the default) runs web once as a Job, as composed does; set restart: always to make it a Deployment');
  });
});

describe('named volumes and replicas', () => {
  const data = { type: 'volume' as const, source: 'data', target: '/data', readOnly: false, nocopy: false };

  it('more than one replica with a named volume is a StatefulSet with a claim per replica', () => {
    const r = run(projectOf([serviceFixture('db', { replicas: 3, volumes: [data] })], { volumes: { data: volumeOf('data') } }));
    const s = find(r, 'StatefulSet', 'db');
    expect(s.spec?.replicas).toBe(3);
    expect(s.spec?.serviceName).toBe('db');
    expect(s.spec?.podManagementPolicy).toBe('Parallel');
    expect(s.spec?.volumeClaimTemplates).toEqual([
      { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    ]);
    expect(s.spec?.template.spec?.containers[0]?.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(s.spec?.template.spec?.volumes).toBeUndefined();
    expect(r.manifests.some((m) => m.kind === 'PersistentVolumeClaim')).toBe(false);
    expect(r.warningLines).toContain('volumes.data: each replica of db gets its own claim (a StatefulSet); in composed its replicas share the volume');
  });

  it('an autoscale maximum above one counts as more than one replica', () => {
    const r = run(projectOf([serviceFixture('db', { volumes: [data], composed: { autoscale, onUnhealthy: 'replace', balance: true } })], { volumes: { data: volumeOf('data') } }));
    expect(find(r, 'StatefulSet', 'db').spec?.replicas).toBeUndefined();
  });

  it('one replica with a named volume stays a Deployment, recreated so the claim is never mounted twice', () => {
    const r = run(projectOf([serviceFixture('db', { volumes: [data] })], { volumes: { data: volumeOf('data') } }));
    const d = find(r, 'Deployment', 'db');
    expect(d.spec?.strategy).toEqual({ type: 'Recreate' });
    expect(d.spec?.template.spec?.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }]);
    expect(find(r, 'PersistentVolumeClaim', 'data').spec?.resources?.requests).toEqual({ storage: '1Gi' });
  });

  it('an external named volume does not make a StatefulSet', () => {
    const r = run(projectOf([serviceFixture('db', { replicas: 2, volumes: [data] })], { volumes: { data: volumeOf('data', { external: true, name: 'shared-data' }) } }));
    expect(find(r, 'Deployment', 'db').spec?.template.spec?.volumes).toEqual([{ name: 'shared-data', persistentVolumeClaim: { claimName: 'shared-data' } }]);
  });
});

describe('replicas, roll-outs and labels', () => {
  it('an autoscaled service leaves the count to its autoscaler', () => {
    const r = run(projectOf([serviceFixture('web', { replicas: 2, composed: { autoscale: { ...autoscale, min: 2 }, onUnhealthy: 'replace', balance: true } })]));
    expect(find(r, 'Deployment', 'web').spec).not.toHaveProperty('replicas');
  });

  it('start-first (the default without fixed host ports) surges by the parallelism', () => {
    const web = serviceFixture('web');
    web.updateConfig = { ...web.updateConfig, parallelism: 2 };
    expect(find(run(projectOf([web])), 'Deployment', 'web').spec?.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } });
  });

  it('stop-first takes old pods down first; parallelism 0 (all at once) is 100%', () => {
    const web = serviceFixture('web');
    web.updateConfig = { ...web.updateConfig, parallelism: Number.MAX_SAFE_INTEGER, order: 'stop-first' };
    expect(find(run(projectOf([web])), 'Deployment', 'web').spec?.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '100%' } });
  });

  it('labels are pod labels where valid, annotations where the value is not, and never replace the selector', () => {
    const r = run(projectOf([
      serviceFixture('web', {
        labels: {
          'com.example.team': 'web',
          'traefik.http.routers.web.rule': 'Host(`example.com`)',
          'app.kubernetes.io/name': 'other',
          'bad key!': 'x',
        },
      }),
    ]));
    const meta = find(r, 'Deployment', 'web').spec?.template.metadata;
    expect(meta?.labels).toEqual({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'proj', 'com.example.team': 'web' });
    expect(meta?.annotations).toEqual({ 'traefik.http.routers.web.rule': 'Host(`example.com`)' });
    expect(r.warningLines).toContain('services.web.labels.bad key!: not carried over: not a valid Kubernetes label or annotation key');
  });

  it('the selector ties workload, pods and Service together by service and project', () => {
    const r = run(projectOf([serviceFixture('web', { expose: ['80'] })], { name: 'my_app' }));
    const selector = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'my_app' };
    expect(find(r, 'Deployment', 'web').spec?.selector.matchLabels).toEqual(selector);
    expect(find(r, 'Service', 'web').spec?.selector).toEqual(selector);
  });
});
