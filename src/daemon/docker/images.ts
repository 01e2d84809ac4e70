// Images per compose's pull_policy, pulled or built with progress lines for the caller.
import { readdir } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { Service } from '../../compose/model.js';
import type { PullProgress } from '../ports/runtime.js';
import { RuntimeError, classify, engineMessage, isNotFound } from './errors.js';
import { jsonLines } from './json-lines.js';
import { parseImageReference } from '../core/image-reference.js';
import { credentialsFor, engineAuth } from './docker-credentials.js';
import { PullSummary, type PullMessage } from './pull-summary.js';

/** What to do for a service's image given whether it is already present (compose's rules). */
export type ImageAction = 'use' | 'pull' | 'build' | 'pull-or-build' | 'missing';

export function imageAction(service: Service, present: boolean): ImageAction {
  const buildable = service.build !== undefined;
  switch (service.pullPolicy) {
    case 'always':
      return buildable ? 'pull-or-build' : 'pull';
    case 'build':
      return buildable ? 'build' : 'missing';
    case 'never':
      // `never` forbids pulling; a service with build: still builds what is absent, as compose does.
      return present ? 'use' : buildable ? 'build' : 'missing';
    case 'missing':
      return present ? 'use' : buildable ? 'build' : 'pull';
  }
}

export async function imageId(docker: Docker, ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw classify(error, `inspect image ${ref}`);
  }
}

export async function ensureImage(docker: Docker, service: Service, progress: PullProgress): Promise<void> {
  const present = (await imageId(docker, service.image)) !== undefined;
  const action = imageAction(service, present);
  switch (action) {
    case 'use':
      return;
    case 'missing':
      throw new RuntimeError(
        'terminal',
        service.pullPolicy === 'build'
          ? `service ${service.name}: pull_policy build needs a build section`
          : `service ${service.name}: image ${service.image} is not present and its pull policy (pull_policy or up --pull) is never`,
      );
    case 'pull':
      return pull(docker, service, progress, present);
    case 'build':
      return build(docker, service, progress);
    case 'pull-or-build':
      try {
        return await pull(docker, service, progress, present);
      } catch (error) {
        progress(`${service.image}: pull failed (${engineMessage(error)}), building instead`);
        return build(docker, service, progress);
      }
  }
}

async function pull(docker: Docker, service: Service, progress: PullProgress, present: boolean): Promise<void> {
  const ref = service.image;
  try {
    // The engine pulls with no credentials of its own: the daemon's user's `docker login` is passed along.
    const registry = parseImageReference(ref).registry;
    const authconfig = engineAuth(registry, await credentialsFor(registry));
    const stream = (await docker.pull(ref, { ...(service.platform ? { platform: service.platform } : {}), ...(authconfig ? { authconfig } : {}) })) as NodeJS.ReadableStream;
    const summary = new PullSummary(ref);
    const error = await consume(stream, (message) => {
      const layer = summary.take(message as PullMessage);
      if (layer) progress(`${layer.layer}: ${layer.status}`, layer);
    });
    if (error) throw new Error(error);
    progress(summary.line());
  } catch (error) {
    throw pullError(ref, present, error);
  }
}

function pullError(ref: string, present: boolean, error: unknown): RuntimeError {
  const message = engineMessage(error);
  const unreachable = /dial tcp|no such host|lookup |i\/o timeout|connection refused|network is unreachable|TLS handshake/i.test(message);
  const what = present ? `pulling image ${ref} failed` : `image ${ref} not found`;
  const why = unreachable ? 'no registry reachable' : 'the registry refused it';
  // An unreachable registry may come back; a refused reference will not.
  return new RuntimeError(unreachable ? 'transient' : 'terminal', `${what} and ${why}: ${message}`, { cause: error });
}

async function build(docker: Docker, service: Service, progress: PullProgress): Promise<void> {
  const spec = service.build;
  if (!spec) throw new RuntimeError('terminal', `service ${service.name} has no build section`);
  let src: string[];
  try {
    src = await contextFiles(spec.context);
  } catch (error) {
    throw new RuntimeError('terminal', `build context ${spec.context} of ${service.name} is unreadable: ${engineMessage(error)}`);
  }
  progress(`${service.image}: building from ${spec.context}`);
  try {
    // dockerode tars { context, src } itself and applies the context's .dockerignore to src.
    const stream = await docker.buildImage(
      { context: spec.context, src },
      {
        t: service.image,
        dockerfile: spec.dockerfile,
        buildargs: spec.args,
        labels: spec.labels,
        ...(spec.target ? { target: spec.target } : {}),
        ...(spec.noCache ? { nocache: true } : {}),
        ...(service.platform ? { platform: service.platform } : {}),
      },
    );
    const error = await consume(stream, (message) => {
      const text = (message as { stream?: string }).stream;
      for (const line of text?.split('\n') ?? []) if (line.trim()) progress(`${service.image}: ${line.trimEnd()}`);
    });
    if (error) throw new RuntimeError('terminal', `building ${service.image} failed: ${error}`);
  } catch (error) {
    throw classify(error, `build ${service.image}`);
  }
}

/** Every file under the context, relative, `/`-separated: the `src` list dockerode filters and packs. */
async function contextFiles(context: string): Promise<string[]> {
  const entries = await readdir(context, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => {
      const dir = (e as { parentPath?: string; path?: string }).parentPath ?? (e as { path: string }).path;
      return `${dir}/${e.name}`.slice(context.replace(/\/$/, '').length + 1);
    })
    .sort();
}

/** Reads a progress stream to its end; resolves with the engine's error message if it sent one. */
async function consume(stream: NodeJS.ReadableStream, onMessage: (message: unknown) => void): Promise<string | undefined> {
  for await (const message of jsonLines(stream)) {
    const error = (message as { error?: string; errorDetail?: { message?: string } }).error;
    if (error) return (message as { errorDetail?: { message?: string } }).errorDetail?.message ?? error;
    onMessage(message);
  }
  return undefined;
}

/**
 * The image's own VOLUME paths (they become the replica's anonymous volumes). An image gone since
 * `up` (someone's `docker rmi`) is pulled or built again per pull_policy, as compose would; when
 * that fails too, retrying will not help until something changes.
 */
export async function replicaImageVolumes(docker: Docker, service: Service): Promise<string[]> {
  const inspect = async () => Object.keys((await docker.getImage(service.image).inspect()).Config.Volumes ?? {});
  try {
    return await inspect();
  } catch (error) {
    if (!isNotFound(error)) throw classify(error, `inspect image ${service.image}`);
  }
  try {
    await ensureImage(docker, service, () => undefined);
    return await inspect();
  } catch (error) {
    throw new RuntimeError('terminal', `image ${service.image} is not present and could not be pulled or built: ${engineMessage(error)}`, { cause: error });
  }
}
