import { describe, expect, it } from 'vitest';
import { substitute } from '../../../src/compose/template.js';
import { errors, project, warnings } from './helpers.js';

const env: Record<string, string> = { FOO: 'first', EMPTY: '', NESTED: 'inner' };
const lookup = (name: string): string | undefined => env[name];
const sub = (t: string): string => {
  const r = substitute(t, lookup);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const fails = (t: string): string => {
  const r = substitute(t, lookup);
  if (r.ok) throw new Error(`expected ${t} to fail`);
  return r.error;
};

describe('interpolation forms', () => {
  it.each([
    ['$FOO', 'first'],
    ['${FOO}', 'first'],
    ['$FOO-bar', 'first-bar'],
    ['${UNSET}', ''],
    ['${UNSET:-def}', 'def'],
    ['${EMPTY:-def}', 'def'],
    ['${FOO:-def}', 'first'],
    ['${UNSET-def}', 'def'],
    ['${EMPTY-def}', ''],
    ['${FOO:?msg}', 'first'],
    ['${EMPTY?msg}', ''],
    ['${FOO:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${UNSET:+alt}', ''],
    ['${FOO+alt}', 'alt'],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['$$FOO', '$FOO'],
    ['$${FOO}', '${FOO}'],
    ['a $ string', 'a $ string'],
    ['^REGEX$', '^REGEX$'],
    ['${UNSET:-${NESTED}}', 'inner'],
    ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep'],
    ['${UNSET:-{"json":1}}', '{"json":1}'],
    ['${UNSET-a?b}', 'a?b'],
    ['pre-${FOO}-post', 'pre-first-post'],
  ])('%s -> %s', (template, expected) => {
    expect(sub(template)).toBe(expected);
  });

  it.each(['${', '${}', '${ FOO}', '${FOO }', '${FOO!}'])('%s is an invalid template', (t) => {
    expect(fails(t)).toMatch(/invalid interpolation format/);
  });

  it('required variables name the variable and the message', () => {
    expect(fails('${UNSET:?please set it}')).toBe('required variable UNSET is missing a value: please set it');
    expect(fails('${EMPTY:?}')).toBe('required variable EMPTY is missing a value');
    expect(fails('${UNSET?}')).toBe('required variable UNSET is missing a value');
    expect(fails('${UNSET:?needs ${FOO}}')).toBe('required variable UNSET is missing a value: needs first');
  });

  it('unused branches are not evaluated', () => {
    const r = substitute('${FOO:-${UNSET}}${UNSET:+${ALSO}}', lookup);
    expect(r).toEqual({ ok: true, value: 'first', unset: [] });
  });
});

describe('interpolation in a compose file', () => {
  it('interpolates values, never keys, extension blocks included', () => {
    const p = project('x-meta:\n  v: ${FOO}\nservices:\n  s:\n    image: img:${TAG:-latest}\n    environment:\n      $FOO: $FOO\n', { env: { FOO: 'bar' } });
    expect(p.services.s!.image).toBe('img:latest');
    expect(p.services.s!.environment).toEqual({ $FOO: 'bar' });
    expect(p.extensions).toEqual({ 'x-meta': { v: 'bar' } });
  });

  it('casts interpolated values to the type the key needs', () => {
    const p = project('services:\n  s:\n    image: x\n    deploy: {replicas: "$N"}\n    read_only: ${RO}\n', { env: { N: '3', RO: 'true' } });
    expect(p.services.s!.replicas).toBe(3);
    expect(p.services.s!.readOnly).toBe(true);
  });

  it('casts every typed key after interpolation, as compose-go does', () => {
    const env = { theint: '555', thefloat: '3.14', thebool: 'true', theduration: '60s', thesize: '2gb' };
    const p = project(`services:
  web:
    image: x
    configs: [{source: appconfig, mode: "$theint"}]
    secrets: [{source: super, mode: "$theint"}]
    healthcheck:
      retries: \${theint}
      interval: $theduration
    deploy:
      replicas: $theint
      update_config: {parallelism: $theint, max_failure_ratio: $thefloat}
      restart_policy: {max_attempts: $theint}
    ports: [$theint, {target: $theint}]
    ulimits: {nproc: $theint, nofile: {hard: $theint, soft: $theint}}
    privileged: $thebool
    read_only: $thebool
    shm_size: \${thesize}
    stop_grace_period: \${theduration}
    stdin_open: \${thebool}
    tty: $thebool
    volumes: [{source: data, type: volume, target: /data, read_only: $thebool, volume: {nocopy: $thebool}}]
configs: {appconfig: {external: $thebool}}
secrets: {super: {external: $thebool}}
volumes: {data: {external: $thebool}}
`, { env });
    expect(p.services.web).toMatchObject({
      configs: [{ source: 'appconfig', target: '/appconfig', mode: 0o555 }],
      secrets: [{ source: 'super', target: '/run/secrets/super', mode: 0o555 }],
      healthcheck: { retries: 555, intervalMs: 60_000 },
      replicas: 555,
      updateConfig: { parallelism: 555 },
      restart: { maxAttempts: 555 },
      ports: [{ target: 555, protocol: 'tcp', mode: 'ingress' }],
      ulimits: { nofile: { soft: 555, hard: 555 }, nproc: { soft: 555, hard: 555 } },
      privileged: true, readOnly: true, shmSizeBytes: 2 * 1024 ** 3, stopGracePeriodMs: 60_000, stdinOpen: true, tty: true,
      volumes: [{ type: 'volume', source: 'data', target: '/data', readOnly: true, nocopy: true }],
    });
    expect(p.volumes.data!.external).toBe(true);
  });

  it('a missing required variable is an error at its place', () => {
    expect(errors('services:\n  web:\n    image: "${REGISTRY:?set REGISTRY}/web"\n')).toEqual([
      'compose.yaml:3:12 services.web.image: required variable REGISTRY is missing a value: set REGISTRY',
    ]);
  });

  it('an unset variable is a warning naming it once', () => {
    expect(warnings('services:\n  web:\n    image: "x:$TAG"\n    labels: [a=$TAG]\n')).toEqual([
      'warning: compose.yaml:3:12 services.web.image: the "TAG" variable is not set, defaulting to a blank string',
    ]);
  });

  it('$$ survives aliases without being unescaped twice', () => {
    const p = project('x-cmd: &cmd ["echo", "$$HOME"]\nservices:\n  a: {image: x, command: *cmd}\n  b: {image: x, command: *cmd}\n');
    expect(p.services.a!.command).toEqual(['echo', '$HOME']);
    expect(p.services.b!.command).toEqual(['echo', '$HOME']);
  });
});
