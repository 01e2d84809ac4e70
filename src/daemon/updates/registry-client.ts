// Where a tag points, asked of its registry without pulling: a HEAD on the manifest (the
// distribution API's "check for existence"), whose Docker-Content-Digest header is the digest the
// engine records in RepoDigests when it pulls the tag. Docker Hub does not count HEADs against its
// pull limit. Registries on loopback are asked over plain HTTP, as the engine does (it trusts
// 127.0.0.0/8 as insecure by default); every other one over HTTPS.
import { DOCKER_HUB, type ImageReference } from '../core/image-reference.js';
import type { RegistryCredentials } from '../docker/docker-credentials.js';

/** Manifest lists and OCI indexes first: a multi-platform tag's digest is the list's, as the engine records it. */
const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

const TIMEOUT_MS = 15_000;

export class RegistryCheckError extends Error {
  constructor(
    message: string,
    /** rate-limited and unreachable may pass; refused (401, 404, ...) needs a person. */
    readonly kind: 'rate-limited' | 'unreachable' | 'refused',
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** `now` (epoch ms) reads a Retry-After given as a date. */
export async function tagDigest(ref: ImageReference, credentials: RegistryCredentials | undefined, now: number): Promise<string> {
  const url = `${registryBase(ref.registry)}/v2/${ref.repository}/manifests/${ref.tag ?? 'latest'}`;
  let response = await head(url, undefined);
  if (response.status === 401) {
    const authorization = await authorizationFor(response.headers.get('www-authenticate') ?? '', credentials, now);
    if (authorization) response = await head(url, authorization);
  }
  if (response.status === 429) throw new RegistryCheckError(`${ref.registry} rate-limited the check (429)`, 'rate-limited', retryAfter(response.headers.get('retry-after'), now));
  if (response.status >= 500) throw new RegistryCheckError(`${ref.registry} answered ${response.status}`, 'unreachable', retryAfter(response.headers.get('retry-after'), now));
  if (response.status !== 200) throw new RegistryCheckError(`${ref.registry} answered ${response.status} for ${ref.repository}:${ref.tag}`, 'refused');
  const digest = response.headers.get('docker-content-digest');
  if (!digest) throw new RegistryCheckError(`${ref.registry} sent no Docker-Content-Digest for ${ref.repository}:${ref.tag}`, 'refused');
  return digest;
}

export function registryBase(registry: string): string {
  if (registry === DOCKER_HUB) return 'https://registry-1.docker.io';
  const host = registry.replace(/:\d+$/, '');
  const loopback = host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
  return `${loopback ? 'http' : 'https'}://${registry}`;
}

async function head(url: string, authorization: string | undefined): Promise<Response> {
  try {
    return await fetch(url, { method: 'HEAD', headers: { accept: MANIFEST_TYPES, ...(authorization ? { authorization } : {}) }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
  } catch (error) {
    throw new RegistryCheckError(`registry not reachable: ${causeText(error)}`, 'unreachable');
  }
}

/** Basic auth as is; a Bearer challenge is answered with a token from its realm (the token auth spec). */
async function authorizationFor(challenge: string, credentials: RegistryCredentials | undefined, now: number): Promise<string | undefined> {
  const basic = credentials && 'username' in credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
  if (/^basic/i.test(challenge)) return basic;
  if (!/^bearer/i.test(challenge)) return undefined;
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
  if (!params['realm']) return undefined;
  const tokenUrl = new URL(params['realm']);
  for (const key of ['service', 'scope']) if (params[key]) tokenUrl.searchParams.set(key, params[key]);
  let response: Response;
  try {
    response = credentials && 'identityToken' in credentials
      ? await fetch(tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, service: params['service'] ?? '', scope: params['scope'] ?? '', client_id: 'composed' }), signal: AbortSignal.timeout(TIMEOUT_MS) })
      : await fetch(tokenUrl, { headers: basic ? { authorization: basic } : {}, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new RegistryCheckError(`token service not reachable: ${causeText(error)}`, 'unreachable');
  }
  if (response.status === 429) throw new RegistryCheckError('the token service rate-limited the check (429)', 'rate-limited', retryAfter(response.headers.get('retry-after'), now));
  if (!response.ok) return undefined;
  const body = (await response.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  return token ? `Bearer ${token}` : undefined;
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 10.2.3). */
function retryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function causeText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
