// The engine client, found the way the docker CLI finds it: DOCKER_HOST (unix:// or tcp://, TLS
// with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH), else /var/run/docker.sock. No API version is pinned:
// the engine answers with its own, and every call here exists since API 1.41 (engine 20.10).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export type EngineAddress =
  | { socketPath: string }
  | { host: string; port: number; protocol: 'http' | 'https'; certPath?: string };

export function engineAddressFromEnv(env: NodeJS.ProcessEnv): EngineAddress {
  const dockerHost = env['DOCKER_HOST']?.trim();
  if (!dockerHost) return { socketPath: DEFAULT_SOCKET };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) || DEFAULT_SOCKET };
  if (dockerHost.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    const tls = env['DOCKER_TLS_VERIFY'] === '1' || (env['DOCKER_TLS_VERIFY'] === undefined && url.port === '2376');
    const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
    const certPath = env['DOCKER_CERT_PATH'];
    return { host: url.hostname, port, protocol: tls ? 'https' : 'http', ...(tls && certPath ? { certPath } : {}) };
  }
  throw new Error(`DOCKER_HOST=${dockerHost} is not supported (use unix:///path or tcp://host:port)`);
}

export function createDockerClient(env: NodeJS.ProcessEnv = process.env): Docker {
  const address = engineAddressFromEnv(env);
  if ('socketPath' in address) return new Docker({ socketPath: address.socketPath });
  const { certPath, ...rest } = address;
  if (!certPath) return new Docker(rest);
  return new Docker({
    ...rest,
    ca: readFileSync(join(certPath, 'ca.pem')),
    cert: readFileSync(join(certPath, 'cert.pem')),
    key: readFileSync(join(certPath, 'key.pem')),
  });
}
