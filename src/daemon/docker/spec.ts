// Replica create options from the normalized model: a pure function, no engine, no clock.
// The adapter resolves the anonymous volumes' engine names and then calls `withAnonymousMounts`.
import type Docker from 'dockerode';
import type { Project, Service } from '../../compose/model.js';
import { balancedPorts } from '../../compose/balanced-ports.js';
import type { ReplicaRequest } from '../ports/runtime.js';
import { fileMounts, serviceMounts, type InjectedFile } from './spec-mounts.js';
import {
  COMPOSE_VERSION,
  LABEL_ANON_NUMBER,
  LABEL_ANON_TARGET,
  LABEL_CONFIG_FILES,
  LABEL_CONFIG_HASH,
  LABEL_IMAGE,
  LABEL_MANAGED,
  LABEL_NUMBER,
  LABEL_ONEOFF,
  LABEL_PROJECT,
  LABEL_SERVICE,
  LABEL_VERSION,
  LABEL_WORKING_DIR,
  replicaName,
} from '../core/labels.js';

const NS_PER_MS = 1_000_000;

export interface AnonymousVolumeSpec {
  target: string;
  /** Labels identifying the volume as this replica's (project, service, number, target). */
  labels: Record<string, string>;
  readOnly: boolean;
  nocopy: boolean;
}

export interface NetworkAttachment {
  /** Engine network name. */
  network: string;
  endpoint: Docker.EndpointSettings;
}

export interface ReplicaSpec {
  name: string;
  platform?: string;
  /** The create body, anonymous volumes not yet mounted. */
  create: Docker.ContainerCreateOptions;
  /** Networks after the first: the engine takes one network at create, the rest are connected before start. */
  connect: NetworkAttachment[];
  anonymousVolumes: AnonymousVolumeSpec[];
  files: InjectedFile[];
}

/**
 * @param imageVolumes the image's own VOLUME paths: those not covered by a service mount become
 * the replica's anonymous volumes too, so a replacement keeps their data as well.
 */
export function replicaSpec(req: ReplicaRequest, imageVolumes: readonly string[] = []): ReplicaSpec {
  const { project, service } = req;
  const networks = networkPlan(project, service);
  const secretMounts = fileMounts(project, service);
  const mounts = serviceMounts(project, service);
  const covered = new Set([
    ...service.volumes.map((v) => v.target),
    ...service.tmpfs.map((t) => tmpfsEntry(t)[0]),
    ...secretMounts.binds.map((b) => b.Target),
    ...secretMounts.files.map((f) => f.path),
  ]);
  const anonymousVolumes = [
    ...service.volumes.flatMap((v) =>
      v.type === 'volume' && v.source === undefined ? [anonymousVolume(req, v.target, v.readOnly, v.nocopy)] : [],
    ),
    ...[...new Set(imageVolumes)]
      .filter((target) => !covered.has(target))
      .sort()
      .map((target) => anonymousVolume(req, target, false, false)),
  ];

  const create: Docker.ContainerCreateOptions = {
    Image: service.image,
    Labels: replicaLabels(req),
    Env: Object.entries(service.environment).flatMap(([k, v]) => (v === null ? [] : [`${k}=${v}`])),
    ...(service.command ? { Cmd: service.command } : {}),
    ...(service.entrypoint ? { Entrypoint: service.entrypoint } : {}),
    ExposedPorts: exposedPorts(service),
    ...definedOnly({
      User: service.user,
      WorkingDir: service.workingDir,
      Hostname: service.hostname,
      Domainname: service.domainname,
      StopSignal: service.stopSignal,
    }),
    Tty: service.tty,
    OpenStdin: service.stdinOpen,
    // Seconds, rounded up so a sub-second grace period does not become "kill at once".
    StopTimeout: Math.ceil(service.stopGracePeriodMs / 1000),
    ...(service.healthcheck ? { Healthcheck: healthConfig(service) } : {}),
    HostConfig: {
      ...hostConfig(service),
      Mounts: [...mounts.mounts, ...secretMounts.binds],
      Binds: mounts.binds,
      NetworkMode: networks.mode,
    },
    ...(networks.first ? { NetworkingConfig: { EndpointsConfig: { [networks.first.network]: networks.first.endpoint } } } : {}),
  };

  return {
    name: req.name,
    ...(service.platform ? { platform: service.platform } : {}),
    create,
    connect: networks.rest,
    anonymousVolumes,
    files: secretMounts.files,
  };
}

/** The final create body once every anonymous volume has an engine name (keyed by target). */
export function withAnonymousMounts(spec: ReplicaSpec, names: ReadonlyMap<string, string>): Docker.ContainerCreateOptions {
  const anonymous: Docker.MountSettings[] = spec.anonymousVolumes.map((v) => {
    const name = names.get(v.target);
    if (!name) throw new Error(`no engine volume for anonymous volume ${v.target}`);
    return {
      Type: 'volume',
      Source: name,
      Target: v.target,
      ReadOnly: v.readOnly,
      ...(v.nocopy ? { VolumeOptions: { NoCopy: true } as Docker.MountSettings['VolumeOptions'] } : {}),
    };
  });
  const host = spec.create.HostConfig ?? {};
  return { ...spec.create, HostConfig: { ...host, Mounts: [...(host.Mounts ?? []), ...anonymous] } };
}

export function replicaLabels(req: ReplicaRequest): Record<string, string> {
  const { project, service } = req;
  return {
    ...service.labels,
    [LABEL_PROJECT]: project.name,
    [LABEL_SERVICE]: service.name,
    [LABEL_NUMBER]: String(req.number),
    [LABEL_CONFIG_HASH]: req.configHash,
    [LABEL_ONEOFF]: 'False',
    [LABEL_WORKING_DIR]: project.workingDir,
    [LABEL_CONFIG_FILES]: project.configFiles.join(','),
    [LABEL_VERSION]: COMPOSE_VERSION,
    [LABEL_IMAGE]: service.image,
    [LABEL_MANAGED]: 'true',
  };
}

/** The labels that find a replica's anonymous volume again (also the volume list filter). */
export function anonymousVolumeLabels(project: string, service: string, number: number, target: string): Record<string, string> {
  return {
    [LABEL_PROJECT]: project,
    [LABEL_SERVICE]: service,
    [LABEL_ANON_NUMBER]: String(number),
    [LABEL_ANON_TARGET]: target,
    [LABEL_MANAGED]: 'true',
  };
}

function anonymousVolume(req: ReplicaRequest, target: string, readOnly: boolean, nocopy: boolean): AnonymousVolumeSpec {
  return { target, labels: anonymousVolumeLabels(req.project.name, req.service.name, req.number, target), readOnly, nocopy };
}

function exposedPorts(service: Service): Record<string, object> {
  const exposed: Record<string, object> = {};
  for (const p of service.ports) exposed[`${p.target}/${p.protocol}`] = {};
  for (const e of service.expose) {
    const [range = '', protocol = 'tcp'] = e.split('/');
    const [from, to = from] = range.split('-').map(Number);
    if (from === undefined || to === undefined || !Number.isInteger(from) || !Number.isInteger(to)) continue;
    for (let port = from; port <= to; port++) exposed[`${port}/${protocol}`] = {};
  }
  return exposed;
}

function portBindings(service: Service): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  // The daemon's balancer holds these host ports; the replicas only expose the container port.
  const balanced = new Set(balancedPorts(service));
  for (const p of service.ports.filter((port) => !balanced.has(port))) {
    const key = `${p.target}/${p.protocol}`;
    // An empty HostPort asks the engine for an ephemeral port; a range lets it pick one in the range.
    (bindings[key] ??= []).push({ HostIp: p.hostIp ?? '', HostPort: p.published ?? '' });
  }
  return bindings;
}

function healthConfig(service: Service): Docker.HealthConfig {
  const hc = service.healthcheck!;
  if (hc.test[0] === 'NONE') return { Test: ['NONE'] };
  return {
    Test: hc.test,
    ...definedOnly({
      Interval: ns(hc.intervalMs),
      Timeout: ns(hc.timeoutMs),
      Retries: hc.retries,
      StartPeriod: ns(hc.startPeriodMs),
      StartInterval: ns(hc.startIntervalMs),
    }),
  };
}

function ns(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * NS_PER_MS);
}

function hostConfig(service: Service): Docker.HostConfig {
  const { limits, reservations } = service.resources;
  return {
    // The daemon owns restarts: one source of truth, and the backoff is ours.
    RestartPolicy: { Name: 'no' },
    PortBindings: portBindings(service),
    ...definedOnly({
      NanoCpus: limits.cpus === undefined ? undefined : Math.round(limits.cpus * 1e9),
      Memory: limits.memoryBytes,
      MemoryReservation: reservations.memoryBytes,
      PidsLimit: limits.pids,
      Init: service.init,
      ShmSize: service.shmSizeBytes,
      PidMode: service.pid,
      IpcMode: service.ipc,
      Runtime: service.runtime,
    }),
    CapAdd: service.capAdd,
    CapDrop: service.capDrop,
    ReadonlyRootfs: service.readOnly,
    Privileged: service.privileged,
    Tmpfs: Object.fromEntries(service.tmpfs.map(tmpfsEntry)),
    Ulimits: Object.entries(service.ulimits).map(([Name, { soft, hard }]) => ({ Name, Soft: soft, Hard: hard })),
    ExtraHosts: service.extraHosts,
    Dns: service.dns,
    DnsSearch: service.dnsSearch,
    DnsOptions: service.dnsOpt,
    Sysctls: service.sysctls,
    SecurityOpt: service.securityOpt,
    Devices: service.devices.map(deviceMapping),
    GroupAdd: service.groupAdd,
    ...(service.logging ? { LogConfig: { Type: service.logging.driver ?? '', Config: service.logging.options } } : {}),
  };
}

/** `/run` or `/run:size=64m,mode=1777` (compose's service-level tmpfs list). */
function tmpfsEntry(entry: string): [string, string] {
  const colon = entry.indexOf(':');
  return colon < 0 ? [entry, ''] : [entry.slice(0, colon), entry.slice(colon + 1)];
}

/** `/dev/host[:/dev/container[:rwm]]`, as `docker run --device`. */
function deviceMapping(device: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const [host = '', container = host, permissions = 'rwm'] = device.split(':');
  return { PathOnHost: host, PathInContainer: container, CgroupPermissions: permissions };
}

interface NetworkPlan {
  mode?: string;
  first?: NetworkAttachment;
  rest: NetworkAttachment[];
}

/**
 * Highest priority first, then by key (compose's order). Engine 20.10 refuses a create naming more
 * than one network ("Container cannot be connected to network endpoints: a, b", observed), so the
 * first one goes into create and the others are connected before start.
 */
function networkPlan(project: Project, service: Service): NetworkPlan {
  if (service.networkMode) {
    const mode = service.networkMode.startsWith('service:')
      ? `container:${replicaName(project.name, service.networkMode.slice('service:'.length), 1)}`
      : service.networkMode;
    return { mode, rest: [] };
  }
  const attachments = Object.entries(service.networks)
    .sort(([ka, a], [kb, b]) => b.priority - a.priority || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([key, sn]): NetworkAttachment => {
      const network = project.networks[key];
      if (!network) throw new Error(`service ${service.name}: network ${key} is not a top-level network`);
      const ipam = definedOnly({ IPv4Address: sn.ipv4Address, IPv6Address: sn.ipv6Address });
      return {
        network: network.name,
        endpoint: {
          Aliases: [...new Set([service.name, ...sn.aliases])],
          ...(Object.keys(ipam).length ? { IPAMConfig: ipam } : {}),
        },
      };
    });
  const [first, ...rest] = attachments;
  return first ? { mode: first.network, first, rest } : { rest };
}

/** Drops undefined fields so the engine applies its own defaults (and specs compare cleanly). */
function definedOnly<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
