// One service: raw tree -> model Service. References to top-level resources are checked here,
// where their positions are at hand; cross-service rules (cycles, profiles) live in validate.ts.
import { warnIgnored, type NormalizeContext } from './context.js';
import { IGNORED_SERVICE_KEYS, SERVICE_KEYS } from './keys.js';
import type { PullPolicy, Service } from './model.js';
import {
  bool, bytes, durationMs, extensionsOf, fieldsOf, plainExtensions, items, listOrDict, oneOf, scalarText, sortedRecord, str,
  strList, strOrList, type Field, type Fields,
} from './read.js';
import { normalizeBuild, normalizeDevices, normalizeExtraHosts, normalizeHealthcheck, normalizeLogging, normalizeUlimits } from './service-build.js';
import { normalizeDeploy } from './service-deploy.js';
import { reportBalancerNeeds } from './balancer-needs.js';
import { normalizeEnvironment } from './service-env.js';
import { normalizeExpose, normalizePorts } from './service-ports.js';
import { fileReferences, normalizeDependsOn, normalizeNetworks } from './service-links.js';
import { normalizeTmpfs, normalizeVolumes } from './service-volumes.js';
import { commandWords, normalizeHooks } from './service-hooks.js';
import { normalizeDevelop } from './service-develop.js';
import { joinPath } from './tree.js';

export interface Declared {
  volumes: ReadonlySet<string>;
  networks: ReadonlySet<string>;
  secrets: ReadonlySet<string>;
  configs: ReadonlySet<string>;
  services: ReadonlySet<string>;
}

/** Where things were written, for the checks that need more than one service. */
export interface ServiceWhere {
  dependsOn: Map<string, Field>;
  networkMode?: Field;
  ports?: Field;
  containerName?: Field;
}

export interface NormalizedService {
  service: Service;
  where: ServiceWhere;
}

const PULL_POLICIES = ['always', 'never', 'missing', 'build', 'if_not_present', 'daily', 'weekly'] as const;

export function normalizeService(ctx: NormalizeContext, name: string, f: Field, declared: Declared): NormalizedService | undefined {
  const fields = fieldsOf(f, ctx.d, [...SERVICE_KEYS, ...Object.keys(IGNORED_SERVICE_KEYS)]);
  if (!fields) return undefined;
  warnIgnored(ctx, fields, IGNORED_SERVICE_KEYS);
  if (fields.extends) ctx.d.error(fields.extends.keyPos, fields.extends.path, 'extends must be resolved before normalization');
  const d = ctx.d;
  const opt = <T>(key: string, read: (f: Field) => T | undefined): T | undefined => (fields[key] ? read(fields[key]!) : undefined);

  const image = opt('image', (x) => str(x, d));
  const build = opt('build', (x) => normalizeBuild(ctx, x));
  if (!fields.image && !fields.build) d.error(f.keyPos, f.path, `service "${name}" has neither an image nor a build context`);

  const extensions = extensionsOf(f);
  const composedNode = extensions['x-composed'];
  const composedField = composedNode ? { node: composedNode, path: joinPath(f.path, 'x-composed'), keyPos: composedNode.pos } : undefined;
  const deploy = normalizeDeploy(ctx, fields, composedField);

  const networkMode = opt('network_mode', (x) => str(x, d));
  if (fields.network_mode && fields.networks) {
    d.error(fields.networks.keyPos, fields.networks.path, `service "${name}" declares both network_mode and networks; they are mutually exclusive`);
  }
  const dependsOn = new Map<string, Field>();
  const where: ServiceWhere = {
    dependsOn,
    ...(fields.network_mode ? { networkMode: fields.network_mode } : {}),
    ...(fields.ports ? { ports: fields.ports } : {}),
    ...(fields.container_name ? { containerName: fields.container_name } : {}),
  };

  const service: Service = {
    name,
    image: image ?? `${ctx.projectName}-${name}`,
    ...(build ? { build } : {}),
    pullPolicy: pullPolicy(ctx, fields),
    ...command(ctx, fields, 'command'),
    ...command(ctx, fields, 'entrypoint'),
    environment: normalizeEnvironment(ctx, fields.env_file, fields.environment),
    ports: opt('ports', (x) => normalizePorts(ctx, x)) ?? [],
    expose: opt('expose', (x) => normalizeExpose(ctx, x)) ?? [],
    volumes: opt('volumes', (x) => normalizeVolumes(ctx, x, declared.volumes)) ?? [],
    networks: networkMode !== undefined ? {} : normalizeNetworks(ctx, fields.networks, declared.networks),
    ...(networkMode !== undefined ? { networkMode } : {}),
    dependsOn: opt('depends_on', (x) => normalizeDependsOn(ctx, x, dependsOn)) ?? {},
    ...optional('healthcheck', opt('healthcheck', (x) => normalizeHealthcheck(ctx, x))),
    restart: deploy.restart,
    replicas: deploy.replicas,
    resources: deploy.resources,
    updateConfig: deploy.updateConfig,
    labels: opt('labels', (x) => dict(ctx, x)) ?? {},
    ...optional('stopSignal', opt('stop_signal', (x) => str(x, d))),
    stopGracePeriodMs: opt('stop_grace_period', (x) => durationMs(x, d)) ?? 10_000,
    ...optional('init', opt('init', (x) => bool(x, d))),
    ...optional('user', opt('user', (x) => str(x, d))),
    ...optional('workingDir', opt('working_dir', (x) => absoluteContainerPath(ctx, x))),
    ...optional('hostname', opt('hostname', (x) => str(x, d))),
    ...optional('domainname', opt('domainname', (x) => str(x, d))),
    ...optional('containerName', opt('container_name', (x) => str(x, d))),
    capAdd: opt('cap_add', (x) => strList(x, d)) ?? [],
    capDrop: opt('cap_drop', (x) => strList(x, d)) ?? [],
    readOnly: opt('read_only', (x) => bool(x, d)) ?? false,
    privileged: opt('privileged', (x) => bool(x, d)) ?? false,
    tty: opt('tty', (x) => bool(x, d)) ?? false,
    stdinOpen: opt('stdin_open', (x) => bool(x, d)) ?? false,
    tmpfs: opt('tmpfs', (x) => normalizeTmpfs(ctx, x)) ?? [],
    ulimits: opt('ulimits', (x) => normalizeUlimits(ctx, x)) ?? {},
    extraHosts: opt('extra_hosts', (x) => normalizeExtraHosts(ctx, x)) ?? [],
    dns: opt('dns', (x) => strOrList(x, d)) ?? [],
    dnsSearch: opt('dns_search', (x) => strOrList(x, d)) ?? [],
    dnsOpt: opt('dns_opt', (x) => strList(x, d)) ?? [],
    sysctls: opt('sysctls', (x) => dict(ctx, x)) ?? {},
    securityOpt: opt('security_opt', (x) => strList(x, d)) ?? [],
    devices: opt('devices', (x) => normalizeDevices(ctx, x)) ?? [],
    groupAdd: opt('group_add', (x) => items(x, d)?.map((i) => scalarText(i, d, 'a group name or id')).filter((g): g is string => g !== undefined)) ?? [],
    ...optional('shmSizeBytes', opt('shm_size', (x) => bytes(x, d))),
    ...optional('pid', opt('pid', (x) => str(x, d))),
    ...optional('ipc', opt('ipc', (x) => str(x, d))),
    ...optional('platform', opt('platform', (x) => str(x, d))),
    ...optional('runtime', opt('runtime', (x) => str(x, d))),
    ...optional('logging', opt('logging', (x) => normalizeLogging(ctx, x))),
    secrets: opt('secrets', (x) => fileReferences(ctx, x, declared.secrets, 'secret')) ?? [],
    configs: opt('configs', (x) => fileReferences(ctx, x, declared.configs, 'config')) ?? [],
    profiles: opt('profiles', (x) => strList(x, d)) ?? [],
    // Absent rather than empty, so a service without hooks keeps the hash it had before hooks existed.
    ...optional('postStart', opt('post_start', (x) => nonEmpty(normalizeHooks(ctx, x)))),
    ...optional('preStop', opt('pre_stop', (x) => nonEmpty(normalizeHooks(ctx, x)))),
    ...optional('develop', opt('develop', (x) => normalizeDevelop(ctx, x))),
    composed: deploy.composed,
    extensions: plainExtensions(f, ['x-composed']),
  };
  reportMountConflicts(ctx, service, fields);
  reportBalancerNeeds(ctx, service, composedField);
  return { service, where };
}

/** A path can be a tmpfs or a volume mount, not both (the engine would refuse the container). */
function reportMountConflicts(ctx: NormalizeContext, service: Service, fields: Fields): void {
  if (!fields.tmpfs || !fields.volumes) return;
  const tmpfs = new Set(service.tmpfs.map((t) => t.split(':')[0]));
  service.volumes.forEach((v, i) => {
    if (!tmpfs.has(v.target)) return;
    const item = fields.volumes!.node.kind === 'seq' ? fields.volumes!.node.items[i] : undefined;
    ctx.d.error(item?.pos ?? fields.volumes!.node.pos, `${fields.volumes!.path}[${i}]`, `target ${v.target} is already mounted by tmpfs`);
  });
}

function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function pullPolicy(ctx: NormalizeContext, fields: Fields): PullPolicy {
  const f = fields.pull_policy;
  if (!f) return 'missing';
  const s = f.node.kind === 'scalar' && typeof f.node.value === 'string' ? f.node.value : undefined;
  if (s !== undefined && /^every_/.test(s)) {
    ctx.d.warn(f.node.pos, f.path, `pull_policy ${s} is treated as "missing"`);
    return 'missing';
  }
  const v = oneOf(f, ctx.d, PULL_POLICIES);
  if (v === 'daily' || v === 'weekly') {
    ctx.d.warn(f.node.pos, f.path, `pull_policy ${v} is treated as "missing"`);
    return 'missing';
  }
  if (v === 'if_not_present') return 'missing';
  return v ?? 'missing';
}

/** command / entrypoint: a string is split like a shell would; null leaves the image's own. */
function command(ctx: NormalizeContext, fields: Fields, key: 'command' | 'entrypoint'): { command?: string[] } | { entrypoint?: string[] } {
  const f = fields[key];
  if (!f || (f.node.kind === 'scalar' && f.node.value === null)) return {};
  const words = commandWords(ctx, f);
  return words === undefined ? {} : { [key]: words };
}

function dict(ctx: NormalizeContext, f: Field): Record<string, string> {
  const out = new Map<string, string>();
  for (const [k, { value }] of listOrDict(f, ctx.d) ?? []) out.set(k, value ?? '');
  return sortedRecord(out);
}

function absoluteContainerPath(ctx: NormalizeContext, f: Field): string | undefined {
  const v = str(f, ctx.d);
  if (v === undefined || v.startsWith('/')) return v;
  ctx.d.error(f.node.pos, f.path, `${JSON.stringify(v)} must be an absolute path in the container`);
  return undefined;
}
