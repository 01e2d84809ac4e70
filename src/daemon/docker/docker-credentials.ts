// Registry credentials where the docker CLI keeps them: $DOCKER_CONFIG/config.json (default
// ~/.docker/config.json of the user the daemon runs as). A `credHelpers` entry for the registry, else
// `credsStore`, names a `docker-credential-NAME` program that answers `get` with the server on
// stdin (docker-credential-helpers' protocol); else `auths` holds base64 "user:password" or an
// identity token. Read at every use, so a `docker login` takes effect without a daemon restart.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_HUB } from '../core/image-reference.js';

export type RegistryCredentials = { username: string; password: string } | { identityToken: string };

interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Docker Hub's credentials are stored under its v1 index address, for historical reasons. */
const HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

export async function credentialsFor(registry: string, env: NodeJS.ProcessEnv = process.env): Promise<RegistryCredentials | undefined> {
  const config = await readConfig(env);
  if (!config) return undefined;
  const keys = registry === DOCKER_HUB ? HUB_KEYS : [registry, `https://${registry}`, `http://${registry}`];
  const helper = keys.map((k) => config.credHelpers?.[k]).find((h) => h) ?? config.credsStore;
  if (helper) {
    const fromHelper = await askHelper(helper, keys[0]!);
    if (fromHelper) return fromHelper;
  }
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.identitytoken) return { identityToken: entry.identitytoken };
    if (entry.auth) {
      const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = plain.indexOf(':');
      if (colon > 0) return { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
    }
    if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  }
  return undefined;
}

/** The auth the engine's pull takes (dockerode's `authconfig`). */
export function engineAuth(registry: string, credentials: RegistryCredentials | undefined): Record<string, string> | undefined {
  if (!credentials) return undefined;
  const serveraddress = registry === DOCKER_HUB ? HUB_KEYS[0]! : registry;
  return 'identityToken' in credentials ? { identitytoken: credentials.identityToken, serveraddress } : { ...credentials, serveraddress };
}

async function readConfig(env: NodeJS.ProcessEnv): Promise<ConfigFile | undefined> {
  const dir = env['DOCKER_CONFIG'] || join(env['HOME'] || homedir(), '.docker');
  try {
    return JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as ConfigFile;
  } catch {
    // No file (nobody logged in) or an unreadable one: the registry is asked anonymously, as the docker CLI does.
    return undefined;
  }
}

/** A helper that is missing or knows nothing of the server means "no credentials", as for the docker CLI. */
function askHelper(helper: string, server: string): Promise<RegistryCredentials | undefined> {
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 10_000 }, (error, stdout) => {
      if (error) return resolve(undefined);
      try {
        const answer = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (!answer.Secret) return resolve(undefined);
        resolve(answer.Username === '<token>' ? { identityToken: answer.Secret } : { username: answer.Username ?? '', password: answer.Secret });
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(server);
  });
}
