// An image reference split the way the engine splits it (distribution/reference's normalisation):
// the first path component is a registry when it has a "." or a ":" or is "localhost", else the
// image is on Docker Hub, where one-component names live under "library/".
export interface ImageReference {
  /** Host (and port) as the engine dials it; Docker Hub is "docker.io". */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';

export function parseImageReference(ref: string): ImageReference {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : DOCKER_HUB;
  let repository = hasRegistry ? rest.slice(slash + 1) : rest;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  return { registry: registry === 'index.docker.io' ? DOCKER_HUB : registry, repository, ...(digest ? { digest } : { tag: tag ?? 'latest' }) };
}

/** `image: app@sha256:…` names one image for ever: there is no tag to follow. */
export function isDigestPinned(ref: string): boolean {
  return ref.includes('@');
}

/** The reference the engine stores in an image's RepoDigests for this repository. */
export function repoDigestPrefix(ref: ImageReference): string {
  const name = ref.registry === DOCKER_HUB ? ref.repository.replace(/^library\//, '') : `${ref.registry}/${ref.repository}`;
  return `${name}@`;
}

/** `repo@sha256:…` for the same repository: what a rollback pins the service to. */
export function pinnedReference(ref: ImageReference, digest: string): string {
  return `${repoDigestPrefix(ref)}${digest}`;
}
