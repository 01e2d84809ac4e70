// A service's mounts -> claims, emptyDirs and (only when allowed) hostPaths.
import { describe, expect, it } from 'vitest';
import type { Project, Service, VolumeMount } from '../../../src/compose/model.js';
import { serviceFixture } from '../../support/fixtures.js';
import { find, projectOf, run, volumeOf, type RunOptions } from './support.js';

const named = (source: string, target: string, over: Partial<Extract<VolumeMount, { type: 'volume' }>> = {}): VolumeMount => ({
  type: 'volume', source, target, readOnly: false, nocopy: false, ...over,
});
const bind: VolumeMount = { type: 'bind', source: '/proj/nginx.conf', target: '/etc/nginx/nginx.conf', readOnly: true, createHostPath: true };

function pod(over: Partial<Service>, project: Partial<Project> = {}, opts: RunOptions = {}) {
  const r = run(projectOf([serviceFixture('web', over)], project), opts);
  const spec = find(r, 'Deployment', 'web').spec!.template.spec!;
  return { r, spec, mounts: spec.containers[0]!.volumeMounts, warnings: r.warningLines };
}

describe('named volumes', () => {
  it('mount their claim, read-only and with a sub-path where compose says so', () => {
    const { spec, mounts, r } = pod(
      { volumes: [named('data', '/var/lib/data', { subpath: 'v1' }), named('data', '/srv/ro', { readOnly: true })] },
      { volumes: { data: volumeOf('data') } },
    );
    expect(spec.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }]);
    expect(mounts).toEqual([
      { name: 'data', mountPath: '/srv/ro', readOnly: true },
      { name: 'data', mountPath: '/var/lib/data', subPath: 'v1' },
    ]);
    expect(find(r, 'PersistentVolumeClaim', 'data').spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
  });

  it('take their size from x-composed.volume_size, 1Gi by default', () => {
    const { r } = pod({ volumes: [named('big', '/big'), named('small', '/small')] }, {
      volumes: { big: volumeOf('big', { extensions: { 'x-composed': { volume_size: '20g' } } }), small: volumeOf('small') },
    });
    expect(find(r, 'PersistentVolumeClaim', 'big').spec?.resources?.requests).toEqual({ storage: '20Gi' });
    expect(find(r, 'PersistentVolumeClaim', 'small').spec?.resources?.requests).toEqual({ storage: '1Gi' });
  });

  it('a size that is not one is a warning, and the default', () => {
    const { r, warnings } = pod({ volumes: [named('data', '/data')] }, { volumes: { data: volumeOf('data', { extensions: { 'x-composed': { volume_size: 'huge' } } }) } });
    expect(find(r, 'PersistentVolumeClaim', 'data').spec?.resources?.requests).toEqual({ storage: '1Gi' });
    expect(warnings).toContain('volumes.data.x-composed.volume_size: "huge" is not a size; the claim asks for 1Gi');
  });

  it('get DNS names; drivers and labels are carried as far as they go', () => {
    const { r, warnings, spec } = pod({ volumes: [named('db_data', '/data')] }, {
      volumes: { db_data: volumeOf('db_data', { driver: 'rexray', driverOpts: { size: '5' }, labels: { 'com.example.tier': 'db' } }) },
    });
    const pvc = find(r, 'PersistentVolumeClaim', 'db-data');
    expect(pvc.metadata?.labels).toEqual({ 'app.kubernetes.io/part-of': 'proj', 'com.example.tier': 'db' });
    expect(spec.volumes).toEqual([{ name: 'db-data', persistentVolumeClaim: { claimName: 'db-data' } }]);
    expect(warnings).toContain("volumes.db_data.driver: not carried over: the claim uses the cluster's default storage class");
    expect(warnings).toContain("volumes.db_data.driver_opts: not carried over: the claim uses the cluster's default storage class");
  });

  it('an external volume is an existing claim: mounted, not created, with a warning', () => {
    const { r, spec, warnings } = pod({ volumes: [named('shared', '/shared')] }, { volumes: { shared: volumeOf('shared', { external: true, name: 'team_shared' }) } });
    expect(spec.volumes).toEqual([{ name: 'team-shared', persistentVolumeClaim: { claimName: 'team-shared' } }]);
    expect(r.manifests.some((m) => m.kind === 'PersistentVolumeClaim')).toBe(false);
    expect(warnings).toContain('volumes.shared: external: a PersistentVolumeClaim named team-shared must exist in the namespace');
  });

  it('a volume several services mount is one claim, with a warning about ReadWriteOnce', () => {
    const project = projectOf(
      [serviceFixture('a', { volumes: [named('data', '/data')] }), serviceFixture('b', { volumes: [named('data', '/data')] })],
      { volumes: { data: volumeOf('data') } },
    );
    const r = run(project);
    expect(r.manifests.filter((m) => m.kind === 'PersistentVolumeClaim')).toHaveLength(1);
    expect(r.warningLines).toContain(
      'volumes.data: shared by a, b: a ReadWriteOnce claim is mounted on one node at a time; use a ReadWriteMany storage class or keep those pods on one node',
    );
  });

  it('an unused volume makes no claim', () => {
    expect(run(projectOf([serviceFixture('web')], { volumes: { spare: volumeOf('spare') } })).manifests.some((m) => m.kind === 'PersistentVolumeClaim')).toBe(false);
  });
});

describe('other mounts', () => {
  it('anonymous volumes are emptyDirs', () => {
    const { spec, mounts } = pod({ volumes: [{ type: 'volume', target: '/cache', readOnly: false, nocopy: false }] });
    expect(spec.volumes).toEqual([{ name: 'anonymous-1', emptyDir: {} }]);
    expect(mounts).toEqual([{ name: 'anonymous-1', mountPath: '/cache' }]);
  });

  it('tmpfs mounts, tmpfs entries and shm_size are memory-backed emptyDirs with their size', () => {
    const { spec, mounts } = pod({
      volumes: [{ type: 'tmpfs', target: '/scratch', sizeBytes: 64 * 2 ** 20 }],
      tmpfs: ['/run', '/tmp:size=10m,mode=1777'],
      shmSizeBytes: 2 ** 30,
    });
    expect(spec.volumes).toEqual([
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
      { name: 'tmpfs', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'tmpfs-2', emptyDir: { medium: 'Memory' } },
      { name: 'tmpfs-3', emptyDir: { medium: 'Memory', sizeLimit: '10Mi' } },
    ]);
    expect(mounts).toEqual([
      { name: 'dshm', mountPath: '/dev/shm' },
      { name: 'tmpfs-2', mountPath: '/run' },
      { name: 'tmpfs', mountPath: '/scratch' },
      { name: 'tmpfs-3', mountPath: '/tmp' },
    ]);
  });

  it('a bind mount is a warning and no mount', () => {
    const { spec, warnings } = pod({ volumes: [bind] });
    expect(spec).not.toHaveProperty('volumes');
    expect(warnings).toContain(
      'services.web.volumes: bind mount of ./nginx.conf at /etc/nginx/nginx.conf is not carried over; use a config, a named volume, or --allow-hostpath',
    );
  });

  it('names bind sources relative to the project directory, the directory itself as "."', () => {
    const project: VolumeMount = { type: 'bind', source: '/proj', target: '/code', readOnly: false, createHostPath: true };
    const outside: VolumeMount = { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: false, createHostPath: true };
    const { warnings } = pod({ volumes: [project, outside] });
    expect(warnings).toContain('services.web.volumes: bind mount of . at /code is not carried over; use a config, a named volume, or --allow-hostpath');
    expect(warnings).toContain(
      'services.web.volumes: bind mount of /var/run/docker.sock at /var/run/docker.sock is not carried over; use a config, a named volume, or --allow-hostpath',
    );
  });

  it('with --allow-hostpath a bind mount is a hostPath volume', () => {
    const { spec, mounts, warnings } = pod({ volumes: [bind] }, {}, { allowHostPath: true });
    expect(spec.volumes).toEqual([{ name: 'host', hostPath: { path: '/proj/nginx.conf' } }]);
    expect(mounts).toEqual([{ name: 'host', mountPath: '/etc/nginx/nginx.conf', readOnly: true }]);
    expect(warnings).toContain('services.web.volumes: bind mount of ./nginx.conf at /etc/nginx/nginx.conf is a hostPath: the path must exist on whichever node runs the pod');
  });
});
