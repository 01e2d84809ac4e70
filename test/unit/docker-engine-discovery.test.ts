// Finding the engine as the docker CLI does, on fixture config dirs and sockets.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeAddress, findEngine, type DiscoveryFiles } from '../../src/daemon/docker/engine-discovery.js';
import { engineIdentity } from '../../src/daemon/docker/engine-identity.js';

function files(tree: Record<string, string>): DiscoveryFiles {
  return {
    exists: (path) => path in tree,
    read: (path) => {
      const text = tree[path];
      if (text === undefined) throw new Error(`ENOENT ${path}`);
      return text;
    },
  };
}

const sha = (name: string) => createHash('sha256').update(name).digest('hex');
const meta = (name: string, host: string) => ({
  [`/home/u/.docker/contexts/meta/${sha(name)}/meta.json`]: JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
});
const HOME = { HOME: '/home/u' };
const DOCKER_SOCKET = { '/var/run/docker.sock': '' };

describe('finding the engine like the docker CLI', () => {
  it('uses the default socket when nothing says otherwise', () => {
    expect(findEngine(HOME, files(DOCKER_SOCKET))).toEqual({ address: { socketPath: '/var/run/docker.sock' }, source: 'default socket' });
  });

  it("uses a rootless engine's socket in XDG_RUNTIME_DIR when the system socket does not exist", () => {
    const found = findEngine({ ...HOME, XDG_RUNTIME_DIR: '/run/user/1000' }, files({ '/run/user/1000/docker.sock': '' }));
    expect(found).toEqual({ address: { socketPath: '/run/user/1000/docker.sock' }, source: 'rootless socket in XDG_RUNTIME_DIR' });
    expect(findEngine({ ...HOME, XDG_RUNTIME_DIR: '/run/user/1000' }, files({ ...DOCKER_SOCKET, '/run/user/1000/docker.sock': '' })).address).toEqual({
      socketPath: '/var/run/docker.sock',
    });
  });

  it('follows DOCKER_HOST: unix, tcp, tcp with TLS, ssh', () => {
    const at = (DOCKER_HOST: string, extra: Record<string, string> = {}) => findEngine({ ...HOME, DOCKER_HOST, ...extra }, files({})).address;
    expect(at('unix:///run/podman/podman.sock')).toEqual({ socketPath: '/run/podman/podman.sock' });
    expect(at('tcp://127.0.0.1:2375')).toEqual({ host: '127.0.0.1', port: 2375, protocol: 'http' });
    expect(at('tcp://127.0.0.1:2376', { DOCKER_CERT_PATH: '/certs' })).toEqual({ host: '127.0.0.1', port: 2376, protocol: 'https', certPath: '/certs' });
    expect(at('ssh://deploy@build-box:2222')).toEqual({ host: 'build-box', port: 2222, protocol: 'ssh', username: 'deploy' });
    expect(describeAddress(at('ssh://deploy@build-box'))).toBe('ssh://deploy@build-box:22');
  });

  it("follows `docker context use`: config.json's currentContext and the context store", () => {
    const tree = files({ '/home/u/.docker/config.json': JSON.stringify({ currentContext: 'podman' }), ...meta('podman', 'unix:///run/podman/podman.sock'), ...DOCKER_SOCKET });
    expect(findEngine(HOME, tree)).toEqual({
      address: { socketPath: '/run/podman/podman.sock' },
      source: 'context "podman" (currentContext in /home/u/.docker/config.json)',
    });
  });

  it('DOCKER_CONTEXT wins over DOCKER_HOST and currentContext, as in the CLI; DOCKER_HOST wins over currentContext', () => {
    const tree = files({
      '/home/u/.docker/config.json': JSON.stringify({ currentContext: 'a' }),
      ...meta('a', 'unix:///a.sock'),
      ...meta('b', 'tcp://127.0.0.1:2375'),
    });
    expect(findEngine({ ...HOME, DOCKER_CONTEXT: 'b', DOCKER_HOST: 'unix:///h.sock' }, tree).address).toEqual({ host: '127.0.0.1', port: 2375, protocol: 'http' });
    expect(findEngine({ ...HOME, DOCKER_HOST: 'unix:///h.sock' }, tree).address).toEqual({ socketPath: '/h.sock' });
    expect(findEngine({ ...HOME, DOCKER_CONTEXT: 'default' }, tree).address).toEqual({ socketPath: '/var/run/docker.sock' });
  });

  it("reads a context's TLS files from the store and DOCKER_CONFIG moves the whole config dir", () => {
    const dir = `/etc/dc/contexts/tls/${sha('remote')}/docker`;
    const tree = files({
      [`/etc/dc/contexts/meta/${sha('remote')}/meta.json`]: JSON.stringify({ Endpoints: { docker: { Host: 'tcp://10.1.2.3:2376' } } }),
      [`${dir}/ca.pem`]: '',
      [`${dir}/cert.pem`]: '',
    });
    expect(findEngine({ ...HOME, DOCKER_CONFIG: '/etc/dc', DOCKER_CONTEXT: 'remote' }, tree).address).toEqual({
      host: '10.1.2.3',
      port: 2376,
      protocol: 'https',
      certPath: dir,
    });
  });

  it('says which context is missing instead of falling back to another engine', () => {
    expect(() => findEngine({ ...HOME, DOCKER_CONTEXT: 'gone' }, files({}))).toThrow(/docker context "gone" \(DOCKER_CONTEXT\) not found/);
  });
});

describe('naming the engine from its /version answer', () => {
  it('tells docker.io 20.10 and Podman 4.3 apart, as they answered here', () => {
    const docker = { Version: '20.10.24+dfsg1', ApiVersion: '1.41', Components: [{ Name: 'Engine', Version: '20.10.24+dfsg1' }, { Name: 'containerd', Version: '1.6.20~ds1' }] };
    const podman = { Version: '4.3.1', ApiVersion: '1.41', Components: [{ Name: 'Podman Engine', Version: '4.3.1' }, { Name: 'Conmon', Version: 'conmon version 2.1.6' }] };
    expect(engineIdentity(docker)).toEqual({ name: 'docker', version: '20.10.24+dfsg1', apiVersion: '1.41' });
    expect(engineIdentity(podman)).toEqual({ name: 'podman', version: '4.3.1', apiVersion: '1.41' });
  });
});
