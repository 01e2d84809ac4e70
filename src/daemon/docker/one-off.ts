// One-off containers (`composed run`): the service's create options with compose's one-off labels
// (`com.docker.compose.oneoff=True`) and without `dev.composed.managed`, so no listing the
// supervisor makes ever sees one and it is never counted or replaced as a replica. Its anonymous
// volumes are the engine's own (removed with the container), not a replica's labelled ones, and
// it takes no network alias or fixed address, so the service's name keeps resolving to replicas.
import type Docker from 'dockerode';
import { LABEL_MANAGED, LABEL_ONEOFF } from '../core/labels.js';
import type { OneOffRequest } from '../ports/interactive.js';
import { classify, isNotFound, RuntimeError } from './errors.js';
import { replicaSpec, type NetworkAttachment } from './spec.js';
import { singleFileTar } from './tar.js';

export async function createOneOff(docker: Docker, req: OneOffRequest, nowMs: number): Promise<string> {
  const spec = replicaSpec({ project: req.project, service: req.service, number: 1, name: req.name, configHash: '' }, await imageVolumes(docker, req.service.image));
  const labels: Record<string, string> = { ...spec.create.Labels, [LABEL_ONEOFF]: 'True' };
  delete labels[LABEL_MANAGED];
  const host = spec.create.HostConfig ?? {};
  const anonymous: Docker.MountSettings[] = spec.anonymousVolumes.map((v) => ({ Type: 'volume', Source: '', Target: v.target, ReadOnly: v.readOnly }));
  const firstNetwork = Object.entries(spec.create.NetworkingConfig?.EndpointsConfig ?? {}).map(([network, endpoint]) => plain({ network, endpoint }));
  const body: Docker.ContainerCreateOptions = {
    ...spec.create,
    Labels: labels,
    AttachStdin: req.interactive,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: req.interactive,
    StdinOnce: req.interactive,
    HostConfig: { ...host, Mounts: [...(host.Mounts ?? []), ...anonymous] },
    ...(firstNetwork[0] ? { NetworkingConfig: { EndpointsConfig: { [firstNetwork[0].network]: firstNetwork[0].endpoint } } } : {}),
  };
  const container = await call(`create one-off container ${req.name}`, () =>
    docker.createContainer({ _query: { name: req.name }, _body: body } as Docker.ContainerCreateOptions),
  );
  try {
    for (const { network, endpoint } of spec.connect.map(plain)) await docker.getNetwork(network).connect({ Container: container.id, EndpointConfig: endpoint });
    for (const file of spec.files) await container.putArchive(singleFileTar(file.path, Buffer.from(file.content), file.mode, file.uid, file.gid, nowMs), { path: '/' });
  } catch (error) {
    await container.remove({ force: true, v: true }).catch(() => undefined);
    throw classify(error, `set up one-off container ${req.name}`);
  }
  return container.id;
}

/** An attachment without the service's aliases or fixed addresses. */
function plain(attachment: NetworkAttachment): NetworkAttachment {
  return { network: attachment.network, endpoint: {} };
}

async function imageVolumes(docker: Docker, ref: string): Promise<string[]> {
  try {
    return Object.keys((await docker.getImage(ref).inspect()).Config.Volumes ?? {});
  } catch (error) {
    if (isNotFound(error)) throw new RuntimeError('terminal', `image ${ref} is not present; pull or build it first`);
    throw classify(error, `inspect image ${ref}`);
  }
}

async function call<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw classify(error, context);
  }
}
