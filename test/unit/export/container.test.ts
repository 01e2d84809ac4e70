// The service's container: image, entrypoint/command, environment, resources, security settings.
import { describe, expect, it } from 'vitest';
import type { Service } from '../../../src/compose/model.js';
import type { Container } from '../../../src/export/kubernetes/manifest.js';
import { serviceFixture } from '../../support/fixtures.js';
import { find, projectOf, run } from './support.js';

function container(over: Partial<Service>): { c: Container; warnings: string[] } {
  const r = run(projectOf([serviceFixture('web', over)]));
  return { c: find(r, 'Deployment', 'web').spec!.template.spec!.containers[0]!, warnings: r.warningLines };
}

describe('image and command', () => {
  it('entrypoint becomes command and command becomes args', () => {
    const { c } = container({ image: 'nginx:1.27', entrypoint: ['/docker-entrypoint.sh'], command: ['nginx', '-g', 'daemon off;'] });
    expect(c).toMatchObject({ name: 'web', image: 'nginx:1.27', command: ['/docker-entrypoint.sh'], args: ['nginx', '-g', 'daemon off;'] });
  });

  it('leaves both out when compose leaves them to the image', () => {
    const { c } = container({});
    expect(c).not.toHaveProperty('command');
    expect(c).not.toHaveProperty('args');
  });

  it('escapes $( and $$ so Kubernetes passes them through as Docker does', () => {
    const { c } = container({ command: ['sh', '-c', 'echo $(date) $$ $HOME'] });
    expect(c.args).toEqual(['sh', '-c', 'echo $$(date) $$$ $HOME']);
  });

  it('pull_policy maps to imagePullPolicy', () => {
    expect(container({ pullPolicy: 'always' }).c.imagePullPolicy).toBe('Always');
    expect(container({ pullPolicy: 'never' }).c.imagePullPolicy).toBe('Never');
    expect(container({ pullPolicy: 'missing' }).c.imagePullPolicy).toBe('IfNotPresent');
  });

  it('a build is a warning: the image must be pushed where the cluster pulls from', () => {
    const { warnings } = container({ image: 'proj-web', build: { context: '/proj', dockerfile: 'Dockerfile', args: {}, labels: {} } });
    expect(warnings).toContain('services.web.build: not carried over: build proj-web and push it to a registry the cluster pulls from');
  });

  it('working_dir, tty and stdin_open carry over', () => {
    expect(container({ workingDir: '/app', tty: true, stdinOpen: true }).c).toMatchObject({ workingDir: '/app', tty: true, stdin: true });
  });
});

describe('environment', () => {
  it('is sorted by name, with values escaped', () => {
    const { c } = container({ environment: { B: '2', A: 'x$(y)' } });
    expect(c.env).toEqual([{ name: 'A', value: 'x$$(y)' }, { name: 'B', value: '2' }]);
  });

  it('values that look like secrets stay as they are, with a warning', () => {
    const { c, warnings } = container({ environment: { DB_PASSWORD: 'hunter2', API_TOKEN: 't', AWS_SECRET_ACCESS_KEY: 'k', PASSWORD_FILE: '/run/secrets/pw' } });
    expect(c.env).toContainEqual({ name: 'DB_PASSWORD', value: 'hunter2' });
    expect(warnings).toContain('services.web.environment.DB_PASSWORD: looks like a secret and is written as a plain value; move it into a Secret and use valueFrom.secretKeyRef');
    expect(warnings.filter((w) => w.includes('looks like a secret')).map((w) => w.split(':')[0])).toEqual([
      'services.web.environment.API_TOKEN',
      'services.web.environment.AWS_SECRET_ACCESS_KEY',
      'services.web.environment.DB_PASSWORD',
    ]);
  });

  it('a variable with no value is left out, with a warning', () => {
    const { c, warnings } = container({ environment: { HOME_DIR: null, A: '1' } });
    expect(c.env).toEqual([{ name: 'A', value: '1' }]);
    expect(warnings).toContain('services.web.environment.HOME_DIR: not carried over: it has no value (it was to come from the shell, where it is not set)');
  });
});

describe('resources', () => {
  it('limits carry over, and the CPU request is the CPU limit', () => {
    const { c } = container({ resources: { limits: { cpus: 0.5, memoryBytes: 512 * 2 ** 20 }, reservations: { memoryBytes: 256 * 2 ** 20 } } });
    expect(c.resources).toEqual({ limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '500m', memory: '256Mi' } });
  });

  it('whole CPUs are written as cores; a memory limit alone is also the request', () => {
    const { c } = container({ resources: { limits: { cpus: 2, memoryBytes: 10 ** 9 }, reservations: {} } });
    expect(c.resources).toEqual({ limits: { cpu: '2', memory: '1000000000' }, requests: { cpu: '2', memory: '1000000000' } });
  });

  it('a CPU reservation is the request when there is no limit', () => {
    expect(container({ resources: { limits: {}, reservations: { cpus: 0.25 } } }).c.resources).toEqual({ requests: { cpu: '250m' } });
  });

  it('a CPU reservation that differs from the limit gives way to it, with a warning', () => {
    const { c, warnings } = container({ resources: { limits: { cpus: 1 }, reservations: { cpus: 0.25 } } });
    expect(c.resources?.requests).toEqual({ cpu: '1' });
    expect(warnings).toContain(
      'services.web.deploy.resources.reservations.cpus: not carried over: the CPU request is the limit (1) so that autoscaling percentages mean what they mean in composed',
    );
  });

  it('no resources, no resources block; a PID limit is a warning', () => {
    expect(container({}).c).not.toHaveProperty('resources');
    expect(container({ resources: { limits: { pids: 100 }, reservations: {} } }).warnings).toContain(
      'services.web.deploy.resources.limits.pids: not carried over: Kubernetes sets the PID limit per node, not per container',
    );
  });
});

describe('security settings', () => {
  it('capabilities without the CAP_ prefix, privileged, read_only and no-new-privileges', () => {
    const { c } = container({ capAdd: ['CAP_NET_ADMIN', 'sys_time'], capDrop: ['ALL'], privileged: true, readOnly: true, securityOpt: ['no-new-privileges:true'] });
    expect(c.securityContext).toEqual({
      privileged: true,
      readOnlyRootFilesystem: true,
      capabilities: { add: ['NET_ADMIN', 'SYS_TIME'], drop: ['ALL'] },
      allowPrivilegeEscalation: false,
    });
  });

  it('a numeric user (and group) carries over; a user name is a warning', () => {
    expect(container({ user: '1000:2000' }).c.securityContext).toEqual({ runAsUser: 1000, runAsGroup: 2000 });
    const named = container({ user: 'postgres' });
    expect(named.c).not.toHaveProperty('securityContext');
    expect(named.warnings).toContain('services.web.user: not carried over: Kubernetes takes numeric ids only (runAsUser), not "postgres"');
  });

  it('other security options are warnings', () => {
    expect(container({ securityOpt: ['apparmor:unconfined'] }).warnings).toContain('services.web.security_opt: apparmor:unconfined is not carried over');
  });
});
