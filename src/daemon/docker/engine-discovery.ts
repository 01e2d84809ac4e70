// Which engine to talk to, decided as the docker CLI (28.x) decides it, so `composed` and `docker`
// see the same containers: DOCKER_CONTEXT, else DOCKER_HOST, else the config's currentContext
// (`docker context use`), else the default socket. A context is read from the CLI's store:
// $DOCKER_CONFIG/contexts/meta/<sha256(name)>/meta.json (Endpoints.docker.Host), with its TLS files
// in contexts/tls/<sha256(name)>/docker/. Without any of these: /var/run/docker.sock, or a rootless
// engine's $XDG_RUNTIME_DIR/docker.sock when only that one exists.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export type EngineAddress =
  | { socketPath: string }
  | { host: string; port: number; protocol: 'http' | 'https'; certPath?: string }
  | { host: string; port: number; protocol: 'ssh'; username?: string };

export interface FoundEngine {
  address: EngineAddress;
  /** How it was chosen, for status and errors: `DOCKER_HOST`, `context "x" (DOCKER_CONTEXT)`, ... */
  source: string;
}

/** What discovery reads besides the environment; tests pass a fixture tree. */
export interface DiscoveryFiles {
  exists(path: string): boolean;
  read(path: string): string;
}

const HOST_FILES: DiscoveryFiles = { exists: existsSync, read: (path) => readFileSync(path, 'utf8') };

export function findEngine(env: NodeJS.ProcessEnv, files: DiscoveryFiles = HOST_FILES): FoundEngine {
  const configDir = env['DOCKER_CONFIG'] || join(env['HOME'] || homedir(), '.docker');
  const contextName = env['DOCKER_CONTEXT']?.trim();
  if (contextName) return fromContext(contextName, 'DOCKER_CONTEXT', configDir, env, files);
  const dockerHost = env['DOCKER_HOST']?.trim();
  if (dockerHost) return { address: parseHost(dockerHost, env), source: 'DOCKER_HOST' };
  const current = currentContext(configDir, files);
  if (current) return fromContext(current, `currentContext in ${join(configDir, 'config.json')}`, configDir, env, files);
  return defaultSocket(env, files);
}

/** A URL-ish text for the address: what status shows. */
export function describeAddress(address: EngineAddress): string {
  if ('socketPath' in address) return `unix://${address.socketPath}`;
  if (address.protocol === 'ssh') return `ssh://${address.username ? `${address.username}@` : ''}${address.host}:${address.port}`;
  return `${address.protocol === 'https' ? 'tcp+tls' : 'tcp'}://${address.host}:${address.port}`;
}

function defaultSocket(env: NodeJS.ProcessEnv, files: DiscoveryFiles): FoundEngine {
  const runtimeDir = env['XDG_RUNTIME_DIR'];
  const rootless = runtimeDir ? join(runtimeDir, 'docker.sock') : undefined;
  if (!files.exists(DEFAULT_SOCKET) && rootless && files.exists(rootless)) {
    return { address: { socketPath: rootless }, source: 'rootless socket in XDG_RUNTIME_DIR' };
  }
  return { address: { socketPath: DEFAULT_SOCKET }, source: 'default socket' };
}

function currentContext(configDir: string, files: DiscoveryFiles): string | undefined {
  const path = join(configDir, 'config.json');
  if (!files.exists(path)) return undefined;
  try {
    const name = (JSON.parse(files.read(path)) as { currentContext?: unknown }).currentContext;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function fromContext(name: string, why: string, configDir: string, env: NodeJS.ProcessEnv, files: DiscoveryFiles): FoundEngine {
  const source = `context "${name}" (${why})`;
  // The default context is the CLI's name for DOCKER_HOST or the default socket; the store has no entry for it.
  if (name === 'default') {
    const dockerHost = env['DOCKER_HOST']?.trim();
    return dockerHost ? { address: parseHost(dockerHost, env), source } : { ...defaultSocket(env, files), source };
  }
  const digest = createHash('sha256').update(name).digest('hex');
  const metaPath = join(configDir, 'contexts', 'meta', digest, 'meta.json');
  if (!files.exists(metaPath)) throw new Error(`docker context "${name}" (${why}) not found: no ${metaPath}`);
  const meta = JSON.parse(files.read(metaPath)) as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
  const host = meta.Endpoints?.docker?.Host;
  if (typeof host !== 'string' || host === '') throw new Error(`docker context "${name}" has no docker endpoint Host in ${metaPath}`);
  const tlsDir = join(configDir, 'contexts', 'tls', digest, 'docker');
  const hasTls = files.exists(join(tlsDir, 'ca.pem')) && files.exists(join(tlsDir, 'cert.pem'));
  const address = parseHost(host, { ...(hasTls ? { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tlsDir } : { DOCKER_TLS_VERIFY: '' }) });
  return { address, source };
}

/** unix://path, tcp://host:port (TLS from DOCKER_TLS_VERIFY/DOCKER_CERT_PATH or port 2376), ssh://[user@]host[:port]. */
export function parseHost(dockerHost: string, env: NodeJS.ProcessEnv): EngineAddress {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) || DEFAULT_SOCKET };
  if (dockerHost.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    const verify = env['DOCKER_TLS_VERIFY'];
    // As the CLI: TLS when asked for, or by convention on 2376 unless the caller said otherwise.
    const tls = verify === '1' || (verify === undefined && url.port === '2376');
    const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
    const certPath = env['DOCKER_CERT_PATH'];
    return { host: url.hostname, port, protocol: tls ? 'https' : 'http', ...(tls && certPath ? { certPath } : {}) };
  }
  if (dockerHost.startsWith('ssh://')) {
    const url = new URL(dockerHost);
    return { host: url.hostname, port: url.port ? Number(url.port) : 22, protocol: 'ssh', ...(url.username ? { username: decodeURIComponent(url.username) } : {}) };
  }
  throw new Error(`engine address ${dockerHost} is not supported (use unix:///path, tcp://host:port or ssh://user@host)`);
}
