import { describe, expect, it } from 'vitest';
import type { Project, Service } from '../../src/compose/model.js';
import type { ReplicaRequest } from '../../src/daemon/ports/runtime.js';
import { replicaSpec, withAnonymousMounts } from '../../src/daemon/docker/spec.js';
import { translateEvent } from '../../src/daemon/docker/events.js';
import { FrameDecoder, LineSplitter } from '../../src/daemon/docker/logs.js';
import { epochMs } from '../../src/daemon/docker/containers.js';
import { imageAction } from '../../src/daemon/docker/images.js';
import { engineAddressFromEnv } from '../../src/daemon/docker/client.js';
import { classify } from '../../src/daemon/docker/errors.js';
import { RuntimeError } from '../../src/daemon/ports/runtime.js';
import { nanosFromCpuStat } from '../../src/daemon/docker/cgroup-paths.js';
import { singleFileTar } from '../../src/daemon/docker/tar.js';
import { networkFixture, projectFixture, serviceFixture, volumeFixture } from '../support/fixtures.js';

function service(overrides: Partial<Service> = {}): Service {
  return serviceFixture('web', { restart: { condition: 'none', unlessStopped: false, delayMs: 100, maxDelayMs: 60_000, windowMs: 10_000 }, ...overrides });
}

function project(svc: Service, overrides: Partial<Project> = {}): Project {
  return projectFixture('demo', [svc], {
    workingDir: '/srv/demo',
    configFiles: ['/srv/demo/compose.yaml', '/srv/demo/compose.override.yaml'],
    networks: { default: networkFixture('demo_default'), back: networkFixture('demo_back'), front: networkFixture('shared-front') },
    volumes: { data: volumeFixture('demo_data') },
    secrets: { token: { name: 'token', external: false, file: '/srv/demo/token.txt' } },
    configs: {
      nginx: { name: 'nginx', external: false, file: '/srv/demo/nginx.conf' },
      inline: { name: 'inline', external: false, content: 'hello\n' },
    },
    ...overrides,
  });
}

function request(svc: Service, overrides: Partial<ReplicaRequest> = {}): ReplicaRequest {
  return { project: project(svc), service: svc, number: 2, name: 'demo-web-2', configHash: 'abc123', ...overrides };
}

describe('replica create options', () => {
  it('labels the container like compose, plus managed and the image as written; a service cannot spoof the compose labels', () => {
    const spec = replicaSpec(
      request(service({ labels: { team: 'a', 'com.docker.compose.project': 'spoofed' } })),
    );
    expect(spec.name).toBe('demo-web-2');
    expect(spec.create.Labels).toEqual({
      team: 'a',
      'com.docker.compose.project': 'demo',
      'com.docker.compose.service': 'web',
      'com.docker.compose.container-number': '2',
      'com.docker.compose.config-hash': 'abc123',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.project.working_dir': '/srv/demo',
      'com.docker.compose.project.config_files': '/srv/demo/compose.yaml,/srv/demo/compose.override.yaml',
      'com.docker.compose.version': expect.any(String),
      'dev.composed.image': 'busybox:latest',
      'dev.composed.managed': 'true',
    });
  });

  it('leaves unresolved (null) environment values out', () => {
    const spec = replicaSpec(request(service({ environment: { A: '1', B: null, C: 'x=y' } })));
    expect(spec.create.Env).toEqual(['A=1', 'C=x=y']);
  });

  it('always sets the engine restart policy to no', () => {
    expect(replicaSpec(request(service())).create.HostConfig?.RestartPolicy).toEqual({ Name: 'no' });
  });

  it('publishes ports with host ip, ranges and ephemeral ports, and exposes expose entries', () => {
    const spec = replicaSpec(
      request(
        service({
          ports: [
            { target: 80, published: '8080', hostIp: '127.0.0.1', protocol: 'tcp', mode: 'ingress' },
            { target: 80, published: '8081', hostIp: '::1', protocol: 'tcp', mode: 'ingress' },
            { target: 53, published: '5300-5310', protocol: 'udp', mode: 'ingress' },
            { target: 9000, protocol: 'tcp', mode: 'ingress' },
          ],
          expose: ['3000', '4000-4001/udp'],
        }),
      ),
    );
    expect(spec.create.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {}, '9000/tcp': {}, '3000/tcp': {}, '4000/udp': {}, '4001/udp': {} });
    expect(spec.create.HostConfig?.PortBindings).toEqual({
      '80/tcp': [
        { HostIp: '127.0.0.1', HostPort: '8080' },
        { HostIp: '::1', HostPort: '8081' },
      ],
      '53/udp': [{ HostIp: '', HostPort: '5300-5310' }],
      '9000/tcp': [{ HostIp: '', HostPort: '' }],
    });
  });

  it('mounts named volumes by engine name, binds, tmpfs; anonymous volumes wait for their engine names', () => {
    const spec = replicaSpec(
      request(
        service({
          volumes: [
            { type: 'volume', source: 'data', target: '/data', readOnly: false, nocopy: true },
            { type: 'volume', target: '/cache', readOnly: false, nocopy: false },
            { type: 'bind', source: '/srv/demo/conf', target: '/conf', readOnly: true, createHostPath: false, propagation: 'rslave' },
            { type: 'bind', source: '/srv/demo/new', target: '/new', readOnly: false, createHostPath: true, selinux: 'z' },
            { type: 'tmpfs', target: '/scratch', sizeBytes: 1024 },
          ],
          tmpfs: ['/run:size=64m'],
        }),
      ),
      ['/cache', '/image-vol'],
    );
    expect(spec.create.HostConfig?.Mounts).toEqual([
      { Type: 'volume', Source: 'demo_data', Target: '/data', ReadOnly: false, VolumeOptions: { NoCopy: true } },
      { Type: 'bind', Source: '/srv/demo/conf', Target: '/conf', ReadOnly: true, BindOptions: { Propagation: 'rslave' } },
      { Type: 'tmpfs', Source: '', Target: '/scratch', TmpfsOptions: { SizeBytes: 1024 } },
    ]);
    expect(spec.create.HostConfig?.Binds).toEqual(['/srv/demo/new:/new:rw,z']);
    expect(spec.create.HostConfig?.Tmpfs).toEqual({ '/run': 'size=64m' });
    // The image's VOLUME /cache is covered by the service's own anonymous volume; /image-vol is not.
    expect(spec.anonymousVolumes.map((v) => [v.target, v.labels])).toEqual([
      ['/cache', anonLabels('/cache')],
      ['/image-vol', anonLabels('/image-vol')],
    ]);
    const body = withAnonymousMounts(spec, new Map([['/cache', 'vol1'], ['/image-vol', 'vol2']]));
    expect(body.HostConfig?.Mounts?.slice(-2)).toEqual([
      { Type: 'volume', Source: 'vol1', Target: '/cache', ReadOnly: false },
      { Type: 'volume', Source: 'vol2', Target: '/image-vol', ReadOnly: false },
    ]);
    expect(() => withAnonymousMounts(spec, new Map())).toThrow(/\/cache/);
  });

  it('puts the first network (by priority, then key) in create and connects the others later', () => {
    const spec = replicaSpec(
      request(
        service({
          networks: {
            default: { aliases: [], priority: 0 },
            front: { aliases: ['www', 'web'], priority: 10, ipv4Address: '10.0.0.5' },
            back: { aliases: [], priority: 0 },
          },
        }),
      ),
    );
    expect(spec.create.HostConfig?.NetworkMode).toBe('shared-front');
    expect(spec.create.NetworkingConfig).toEqual({
      EndpointsConfig: { 'shared-front': { Aliases: ['web', 'www'], IPAMConfig: { IPv4Address: '10.0.0.5' } } },
    });
    expect(spec.connect).toEqual([
      { network: 'demo_back', endpoint: { Aliases: ['web'] } },
      { network: 'demo_default', endpoint: { Aliases: ['web'] } },
    ]);
  });

  it('uses network_mode instead of networks, resolving service: to the first replica', () => {
    const host = replicaSpec(request(service({ networks: {}, networkMode: 'host' })));
    expect(host.create.HostConfig?.NetworkMode).toBe('host');
    expect(host.create.NetworkingConfig).toBeUndefined();
    const shared = replicaSpec(request(service({ networks: {}, networkMode: 'service:db' })));
    expect(shared.create.HostConfig?.NetworkMode).toBe('container:demo-db-1');
  });

  it('converts resources, healthcheck durations and the stop grace period', () => {
    const spec = replicaSpec(
      request(
        service({
          resources: { limits: { cpus: 0.5, memoryBytes: 64 * 1024 * 1024, pids: 100 }, reservations: { memoryBytes: 1024 } },
          healthcheck: { test: ['CMD-SHELL', 'true'], intervalMs: 1500, timeoutMs: 1000, retries: 3, startPeriodMs: 0 },
          stopGracePeriodMs: 2500,
          stopSignal: 'SIGINT',
          init: true,
          user: '1000:1000',
          ulimits: { nofile: { soft: 1024, hard: 2048 } },
          devices: ['/dev/fuse', '/dev/sda:/dev/xvda:r'],
          logging: { driver: 'json-file', options: { 'max-size': '1m' } },
        }),
      ),
    );
    expect(spec.create.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 1_500_000_000, Timeout: 1_000_000_000, Retries: 3, StartPeriod: 0 });
    expect(spec.create.StopTimeout).toBe(3);
    expect(spec.create.StopSignal).toBe('SIGINT');
    expect(spec.create.User).toBe('1000:1000');
    expect(spec.create.HostConfig).toMatchObject({
      NanoCpus: 500_000_000,
      Memory: 67_108_864,
      MemoryReservation: 1024,
      PidsLimit: 100,
      Init: true,
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      Devices: [
        { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
        { PathOnHost: '/dev/sda', PathInContainer: '/dev/xvda', CgroupPermissions: 'r' },
      ],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    });
    expect(replicaSpec(request(service({ healthcheck: { test: ['NONE'] } }))).create.Healthcheck).toEqual({ Test: ['NONE'] });
  });

  it('bind-mounts file secrets under /run/secrets and configs at their target; inline configs are copied in', () => {
    const spec = replicaSpec(
      request(
        service({
          secrets: [{ source: 'token', target: 'token' }],
          configs: [
            { source: 'nginx', target: '/etc/nginx/nginx.conf' },
            { source: 'inline', target: 'inline', mode: 0o400 },
          ],
        }),
      ),
    );
    expect(spec.create.HostConfig?.Mounts).toEqual([
      { Type: 'bind', Source: '/srv/demo/token.txt', Target: '/run/secrets/token', ReadOnly: true },
      { Type: 'bind', Source: '/srv/demo/nginx.conf', Target: '/etc/nginx/nginx.conf', ReadOnly: true },
    ]);
    expect(spec.files).toEqual([{ path: '/inline', content: 'hello\n', mode: 0o400, uid: 0, gid: 0 }]);
  });
});

function anonLabels(target: string): Record<string, string> {
  return {
    'com.docker.compose.project': 'demo',
    'com.docker.compose.service': 'web',
    'dev.composed.anonymous-volume.number': '2',
    'dev.composed.anonymous-volume.target': target,
    'dev.composed.managed': 'true',
  };
}

describe('engine event translation', () => {
  const actor = (attrs: Record<string, string>) => ({
    ID: 'abc',
    Attributes: { name: 'demo-web-1', image: 'busybox', 'com.docker.compose.service': 'web', 'dev.composed.managed': 'true', ...attrs },
  });

  it('carries the exit code on die and separates labels from engine attributes', () => {
    expect(translateEvent({ Type: 'container', Action: 'die', Actor: actor({ exitCode: '137' }), timeNano: 1_700_000_000_123_456_789 })).toEqual({
      kind: 'container',
      action: 'die',
      id: 'abc',
      name: 'demo-web-1',
      labels: { 'com.docker.compose.service': 'web', 'dev.composed.managed': 'true' },
      time: 1_700_000_000_123,
      exitCode: 137,
    });
  });

  it("reads Podman's shapes: remove is destroy, the health status in HealthStatus, its own attributes are not labels", () => {
    const podman = actor({ containerExitCode: '0', podId: '' });
    expect(translateEvent({ Type: 'container', Action: 'remove', Actor: podman, time: 1 })).toMatchObject({
      action: 'destroy',
      labels: { 'com.docker.compose.service': 'web', 'dev.composed.managed': 'true' },
    });
    expect(translateEvent({ Type: 'container', Action: 'health_status', HealthStatus: 'unhealthy', Actor: podman })).toMatchObject({
      action: 'health_status',
      health: 'unhealthy',
    });
    expect(translateEvent({ Type: 'container', Action: 'die', Actor: actor({ containerExitCode: '3', exitCode: '3' }) })).toMatchObject({ exitCode: 3 });
    for (const action of ['init', 'cleanup', 'exec_died']) expect(translateEvent({ Type: 'container', Action: action, Actor: podman })).toBeUndefined();
  });

  it('drops events of containers composed does not manage (the stream is not filtered by label)', () => {
    const foreign = { ID: 'x', Attributes: { name: 'other', 'com.docker.compose.project': 'p', 'com.docker.compose.service': 'web' } };
    expect(translateEvent({ Type: 'container', Action: 'die', Actor: foreign })).toBeUndefined();
  });

  it('splits health_status: <state>', () => {
    const event = translateEvent({ Type: 'container', Action: 'health_status: unhealthy', Actor: actor({}), time: 1 });
    expect(event).toMatchObject({ action: 'health_status', health: 'unhealthy', time: 1000 });
  });

  it('ignores what we do not follow', () => {
    expect(translateEvent({ Type: 'container', Action: 'exec_start: sh -c true', Actor: actor({}) })).toBeUndefined();
    expect(translateEvent({ Type: 'network', Action: 'connect', Actor: actor({}) })).toBeUndefined();
  });
});

describe('log stream decoding', () => {
  const frame = (stream: number, text: string) => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it('demultiplexes frames split anywhere across chunks', () => {
    const all = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\nout'), frame(1, ' 2\n')]);
    const decoder = new FrameDecoder();
    const splitter = new LineSplitter();
    const lines: string[] = [];
    for (let i = 0; i < all.length; i += 5) lines.push(...splitter.push(decoder.push(all.subarray(i, i + 5)).toString()));
    expect([...lines, ...splitter.flush()]).toEqual(['out 1', 'err 1', 'out 2']);
  });
});

describe('small translations', () => {
  it('maps the engine zero time to 0', () => {
    expect(epochMs('0001-01-01T00:00:00Z')).toBe(0);
    expect(epochMs('2024-01-02T03:04:05.5Z')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 500));
  });

  it('follows compose pull_policy', () => {
    const built = service({ build: { context: '/c', dockerfile: 'Dockerfile', args: {}, labels: {} } });
    expect(imageAction(service(), true)).toBe('use');
    expect(imageAction(service(), false)).toBe('pull');
    expect(imageAction(service({ pullPolicy: 'always' }), true)).toBe('pull');
    expect(imageAction(service({ pullPolicy: 'never' }), false)).toBe('missing');
    expect(imageAction(built, false)).toBe('build');
    expect(imageAction(built, true)).toBe('use');
    expect(imageAction({ ...built, pullPolicy: 'build' }, true)).toBe('build');
    expect(imageAction({ ...built, pullPolicy: 'always' }, true)).toBe('pull-or-build');
  });

  it('finds the engine as docker does', () => {
    expect(engineAddressFromEnv({})).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(engineAddressFromEnv({ DOCKER_HOST: 'unix:///tmp/d.sock' })).toEqual({ socketPath: '/tmp/d.sock' });
    expect(engineAddressFromEnv({ DOCKER_HOST: 'tcp://10.0.0.1:2375' })).toEqual({ host: '10.0.0.1', port: 2375, protocol: 'http' });
    expect(engineAddressFromEnv({ DOCKER_HOST: 'tcp://h:2376', DOCKER_CERT_PATH: '/certs' })).toEqual({
      host: 'h',
      port: 2376,
      protocol: 'https',
      certPath: '/certs',
    });
    expect(() => engineAddressFromEnv({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' })).toThrow(/not supported/);
  });

  it('classifies engine errors', () => {
    const http = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode, json: { message } });
    expect(classify(http(404, 'No such container: x'), 'inspect x')).toMatchObject({ kind: 'not-found', message: 'inspect x: No such container: x' });
    expect(classify(http(409, 'name in use'), 'create').kind).toBe('conflict');
    expect(classify(http(500, 'boom'), 'create').kind).toBe('transient');
    expect(classify(http(400, 'bad'), 'create').kind).toBe('terminal');
    // Docker 20.10 right after its own restart: the state of things, not the request, is at fault.
    expect(classify(http(403, 'endpoint with name t-app-4 already exists in network t_default'), 'start').kind).toBe('conflict');
    // No answer at all is never taken as the request's fault.
    expect(classify(new Error('socket hang up'), 'list').kind).toBe('transient');
    expect(classify(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'ping')).toMatchObject({
      kind: 'transient',
      code: 'ECONNREFUSED',
    });
    expect(classify(http(404, 'gone'), 'x')).toBeInstanceOf(RuntimeError);
  });

  it('parses cgroup v2 cpu.stat', () => {
    expect(nanosFromCpuStat('usage_usec 1500\nuser_usec 1000\n')).toBe(1_500_000);
  });

  it('writes a valid one-file tar header', () => {
    const tar = singleFileTar('/etc/app.conf', Buffer.from('x=1\n'), 0o644, 0, 0, 1_700_000_000_000);
    expect(tar.length).toBe(512 * 2 + 1024);
    expect(tar.subarray(0, 12).toString()).toBe('etc/app.conf');
    expect(parseInt(tar.subarray(136, 147).toString(), 8)).toBe(1_700_000_000); // mtime: the clock's, in seconds
    const stored = parseInt(tar.subarray(148, 154).toString(), 8);
    const copy = Buffer.from(tar.subarray(0, 512));
    copy.write('        ', 148);
    expect(stored).toBe(copy.reduce((a, b) => a + b, 0));
  });
});
