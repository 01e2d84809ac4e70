// The engine client, found the way the docker CLI finds it (engine-discovery.ts). No API version is
// pinned: the engine answers with its own, and every call here exists since API 1.41 (engine 20.10).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { findEngine, type EngineAddress } from './engine-discovery.js';

export { DEFAULT_SOCKET, type EngineAddress } from './engine-discovery.js';

/** Only the address (tests use it to reach the same engine through a proxy). */
export function engineAddressFromEnv(env: NodeJS.ProcessEnv): EngineAddress {
  return findEngine(env).address;
}

export function createDockerClient(env: NodeJS.ProcessEnv = process.env): Docker {
  return dockerFor(findEngine(env).address, env);
}

export function dockerFor(address: EngineAddress, env: NodeJS.ProcessEnv = process.env): Docker {
  if ('socketPath' in address) return new Docker({ socketPath: address.socketPath });
  if (address.protocol === 'ssh') {
    // docker-modem runs `docker system dial-stdio` on the remote host over ssh2, authenticating with the agent.
    return new Docker({
      protocol: 'ssh',
      host: address.host,
      port: address.port,
      ...(address.username ? { username: address.username } : {}),
      sshOptions: { agent: env['SSH_AUTH_SOCK'] },
    } as Docker.DockerOptions);
  }
  const { certPath, ...rest } = address;
  if (!certPath) return new Docker(rest);
  return new Docker({
    ...rest,
    ca: readFileSync(join(certPath, 'ca.pem')),
    cert: readFileSync(join(certPath, 'cert.pem')),
    key: readFileSync(join(certPath, 'key.pem')),
  });
}
