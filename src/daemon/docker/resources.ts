// Project networks and volumes, and the replicas' anonymous volumes. Compose's labels keep
// `docker compose` able to see them; dev.composed.managed marks what we may remove.
import type Docker from 'dockerode';
import type { Network, Project, Volume } from '../../compose/model.js';
import { LABEL_ANON_NUMBER, LABEL_MANAGED, LABEL_NETWORK, LABEL_PROJECT, LABEL_VOLUME } from '../core/labels.js';
import { RuntimeError, classify, engineMessage, isNetworkInUse, isNotFound, statusOf } from './errors.js';
import { keepMatching, labelFilter, labelsMatch, type QuirkSink } from './label-match.js';
import type { AnonymousVolumeSpec } from './spec.js';
import { systemClock } from '../ports/clock.js';

export async function ensureNetwork(docker: Docker, project: Project, key: string, network: Network): Promise<void> {
  const existing = docker.getNetwork(network.name);
  try {
    await existing.inspect();
    return;
  } catch (error) {
    if (!isNotFound(error)) throw classify(error, `inspect network ${network.name}`);
  }
  if (network.external) {
    throw new RuntimeError(
      'terminal',
      `network ${network.name} is declared external but does not exist; create it with \`docker network create ${network.name}\``,
    );
  }
  const ipam = network.ipam;
  try {
    await docker.createNetwork({
      Name: network.name,
      // Without it engine 20.10 happily creates a second network with the same name.
      CheckDuplicate: true,
      ...(network.driver ? { Driver: network.driver } : {}),
      Options: network.driverOpts,
      Internal: network.internal,
      Attachable: network.attachable,
      EnableIPv6: network.enableIpv6,
      ...(ipam
        ? {
            IPAM: {
              Driver: ipam.driver ?? 'default',
              Config: ipam.config.map((c) => ({
                ...(c.subnet ? { Subnet: c.subnet } : {}),
                ...(c.gateway ? { Gateway: c.gateway } : {}),
                ...(c.ipRange ? { IPRange: c.ipRange } : {}),
              })),
            },
          }
        : {}),
      Labels: { ...network.labels, [LABEL_PROJECT]: project.name, [LABEL_NETWORK]: key, [LABEL_MANAGED]: 'true' },
    });
  } catch (error) {
    // 409: created meanwhile by a concurrent caller; that is what we wanted.
    if (statusOf(error) !== 409) throw classify(error, `create network ${network.name}`);
  }
}

/**
 * Removes a project network; returns why it was left in place, if it was (see removeNetworkNamed).
 * A network of that name that does not carry the project's labels (made by hand, or by another
 * project) is not ours to remove.
 */
export async function removeNetwork(docker: Docker, project: Project, key: string, network: Network, sleep?: (ms: number) => Promise<void>): Promise<string | undefined> {
  if (network.external) return undefined;
  let labels: Record<string, string> | undefined;
  try {
    labels = ((await docker.getNetwork(network.name).inspect()) as { Labels?: Record<string, string> }).Labels;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw classify(error, `inspect network ${network.name}`);
  }
  if (!labelsMatch(labels, { [LABEL_PROJECT]: project.name, [LABEL_NETWORK]: key, [LABEL_MANAGED]: 'true' })) {
    return `left in place: network ${network.name} was not created by composed for project ${project.name}`;
  }
  return removeNetworkNamed(docker, network.name, sleep);
}

/**
 * Removes a network, retrying while the engine still counts endpoints of containers just removed.
 * After heavy churn (a crash loop of 60-200 replicas removed at once) engine 20.10 answered 403
 * "has active endpoints" for a few seconds while `network inspect` listed no container at all,
 * and the same removal then succeeded. It can also keep endpoints of containers that are long
 * gone; a forced disconnect by the endpoint's name clears those (moby/moby#17217, #33156).
 *
 * Once the retries are spent the network is left in place and the reason returned: containers that
 * still use it (someone else's), or a count the engine got wrong. After the 200-replica crash loop
 * it kept counting 4 endpoints with none attached until dockerd restarted, which logged "Fixing
 * inconsistent endpoint_cnt for network ... Expected=0, Actual=4". Neither is worth failing a
 * `down` whose containers are gone.
 */
export async function removeNetworkNamed(docker: Docker, name: string, sleep = defaultSleep): Promise<string | undefined> {
  const waits = [250, 500, 1_000, 2_000, 4_000];
  for (let attempt = 0; ; attempt++) {
    try {
      await docker.getNetwork(name).remove();
      return undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      if (!isNetworkInUse(error)) throw classify(error, `remove network ${name}`);
      const attached = await disconnectStaleEndpoints(docker, name);
      if (attempt >= waits.length) {
        return attached.length > 0
          ? `left in place: still used by ${attached.join(', ')}`
          : 'left in place: the engine still counts endpoints on it with no container attached (engine 20.10 miscounts after heavy churn and corrects it when dockerd restarts; `docker network rm` it then)';
      }
      await sleep(waits[attempt]!);
    }
  }
}

const defaultSleep = (ms: number) => systemClock.sleep(ms);

/** Force-disconnects endpoints whose container is gone; returns the names of containers still attached. */
async function disconnectStaleEndpoints(docker: Docker, name: string): Promise<string[]> {
  const network = docker.getNetwork(name);
  // Gone meanwhile: the next removal attempt answers 404, which is success.
  const info = (await network.inspect().catch((error: unknown) => {
    if (isNotFound(error)) return {};
    throw classify(error, `inspect network ${name}`);
  })) as { Containers?: Record<string, { Name?: string }> };
  const attached: string[] = [];
  for (const [id, endpoint] of Object.entries(info.Containers ?? {})) {
    const exists = await docker
      .getContainer(id)
      .inspect()
      .then(() => true, (error: unknown) => !isNotFound(error));
    if (exists) {
      attached.push(endpoint.Name ?? id);
      continue;
    }
    await network.disconnect({ Container: endpoint.Name ?? id, Force: true }).catch((error: unknown) => {
      if (!isNotFound(error)) throw classify(error, `disconnect stale endpoint ${endpoint.Name ?? id} from network ${name}`);
    });
  }
  return attached;
}

export async function ensureVolume(docker: Docker, project: Project, key: string, volume: Volume): Promise<void> {
  try {
    await docker.getVolume(volume.name).inspect();
    return;
  } catch (error) {
    if (!isNotFound(error)) throw classify(error, `inspect volume ${volume.name}`);
  }
  if (volume.external) {
    throw new RuntimeError(
      'terminal',
      `volume ${volume.name} is declared external but does not exist; create it with \`docker volume create ${volume.name}\``,
    );
  }
  try {
    // Volume create is idempotent on the engine: a concurrent create of the same name succeeds.
    await docker.createVolume({
      Name: volume.name,
      ...(volume.driver ? { Driver: volume.driver } : {}),
      DriverOpts: volume.driverOpts,
      Labels: { ...volume.labels, [LABEL_PROJECT]: project.name, [LABEL_VOLUME]: key, [LABEL_MANAGED]: 'true' },
    });
  } catch (error) {
    throw classify(error, `create volume ${volume.name}`);
  }
}

/**
 * Engine names of a replica's anonymous volumes by mount target: the existing labelled volume (the
 * oldest if a race ever made two) or a new one with an engine-generated name.
 */
export async function ensureAnonymousVolumes(
  docker: Docker,
  specs: readonly AnonymousVolumeSpec[],
  quirk: QuirkSink,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const spec of specs) {
    try {
      const { Volumes } = await docker.listVolumes({ filters: { label: labelFilter(spec.labels) } });
      const own = keepMatching('volume', Volumes ?? [], (v) => v.Labels, (v) => v.Name, spec.labels, quirk);
      const [oldest] = own.sort(
        (a, b) => createdAt(a).localeCompare(createdAt(b)) || a.Name.localeCompare(b.Name),
      );
      const name = oldest?.Name ?? (await docker.createVolume({ Labels: spec.labels })).name;
      names.set(spec.target, name);
    } catch (error) {
      throw classify(error, `anonymous volume ${spec.target}`);
    }
  }
  return names;
}

/**
 * Named non-external volumes, then every anonymous volume of the project's replicas; each only when
 * its own labels say it is this project's and composed made it. A named volume of the right name
 * that does not (created by hand, or adopted from before) is left in place and reported.
 */
export async function removeProjectVolumes(docker: Docker, project: Project, quirk: QuirkSink): Promise<void> {
  const names: string[] = [];
  for (const [key, volume] of Object.entries(project.volumes).sort(([a], [b]) => a.localeCompare(b))) {
    if (volume.external) continue;
    const labels = await volumeLabels(docker, volume.name);
    if (labels === undefined) continue;
    if (labelsMatch(labels, { [LABEL_PROJECT]: project.name, [LABEL_VOLUME]: key, [LABEL_MANAGED]: 'true' })) names.push(volume.name);
    else quirk(`volume ${volume.name} left in place`, { project: project.name, labels, note: 'it does not carry this project\'s composed labels' });
  }
  const anonymous = { [LABEL_PROJECT]: project.name, [LABEL_MANAGED]: 'true', [LABEL_ANON_NUMBER]: true } as const;
  try {
    const { Volumes } = await docker.listVolumes({ filters: { label: labelFilter(anonymous) } });
    names.push(...keepMatching('volume', Volumes ?? [], (v) => v.Labels, (v) => v.Name, anonymous, quirk).map((v) => v.Name));
  } catch (error) {
    throw classify(error, `list anonymous volumes of ${project.name}`);
  }
  const failures: string[] = [];
  let kind: RuntimeError['kind'] = 'terminal';
  for (const name of names) {
    try {
      await docker.getVolume(name).remove();
    } catch (error) {
      if (isNotFound(error)) continue;
      const classified = classify(error, `remove volume ${name}`);
      kind = classified.kind;
      failures.push(engineMessage(classified));
    }
  }
  if (failures.length) throw new RuntimeError(kind, failures.join('; '));
}

/** A volume's labels; undefined when there is no such volume. */
async function volumeLabels(docker: Docker, name: string): Promise<Record<string, string> | undefined> {
  try {
    return (await docker.getVolume(name).inspect()).Labels ?? {};
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw classify(error, `inspect volume ${name}`);
  }
}

function createdAt(volume: Docker.VolumeInspectInfo): string {
  return (volume as { CreatedAt?: string }).CreatedAt ?? '';
}
