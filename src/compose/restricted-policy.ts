// What a member of the daemon's restricted group may not ask for. The daemon runs containers as
// root through the engine, so every key that gives a container the host (its devices, namespaces,
// capabilities, files, low ports, the engine itself) would make the group root-equivalent, as
// Docker's `docker` group is. Decisions are made on the normalized model (what would run, after
// merging, includes and extends); each refusal points at the key in the file that wrote it.
import type { Diagnostic } from './errors.js';
import type { Project, Service, VolumeMount } from './model.js';
import { joinPath, type Node, type Pos } from './tree.js';

export interface RestrictedCaller {
  uid: number;
  /** Why this host path may not be bind-mounted (not the caller's, not writable by them, the engine's socket). */
  bindRefusal(hostPath: string): string | undefined;
}

type Segment = string | number;

const SAFE_SECURITY_OPTS = new Set(['no-new-privileges', 'no-new-privileges:true', 'no-new-privileges=true']);
const LOWEST_PORT = 1025;

export function restrictedPolicy(project: Project, tree: Node, caller: RestrictedCaller): Diagnostic[] {
  const out: Diagnostic[] = [];
  const refuse = (path: Segment[], message: string) => out.push(diagnostic(tree, path, `not allowed for the restricted group: ${message}`));
  for (const [name, service] of Object.entries(project.services)) checkService(name, service, tree, caller, refuse);
  for (const [key, volume] of Object.entries(project.volumes)) {
    if (volume.external) refuse(['volumes', key, 'external'], 'an external volume may be another project\'s data');
    else if (volume.name !== `${project.name}_${key}`) refuse(['volumes', key, 'name'], `a volume named outside the project (${volume.name}) may be another project's data`);
    else if (Object.keys(volume.driverOpts).length > 0) refuse(['volumes', key, 'driver_opts'], 'driver options can bind-mount any host path');
  }
  for (const [key, network] of Object.entries(project.networks)) {
    if (network.external) refuse(['networks', key, 'external'], 'an external network may be the host\'s or another project\'s');
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

function checkService(name: string, service: Service, tree: Node, caller: RestrictedCaller, refuse: (path: Segment[], message: string) => void): void {
  const at = (...rest: Segment[]): Segment[] => ['services', name, ...rest];
  if (service.privileged) refuse(at('privileged'), 'a privileged container is root on the host');
  if (service.capAdd.length > 0) refuse(at('cap_add'), `added capabilities (${service.capAdd.join(', ')}) reach past the container`);
  if (service.devices.length > 0) refuse(at('devices'), 'host devices');
  for (const [key, value] of [['network_mode', service.networkMode], ['pid', service.pid], ['ipc', service.ipc]] as const) {
    if (value === 'host') refuse(at(key), `${key}: host shares the host's namespace`);
    else if (value?.startsWith('container:')) refuse(at(key), `${key}: ${value} joins a container that may not be yours (use service:NAME)`);
  }
  if (scalarAt(tree, at('userns_mode')) === 'host') refuse(at('userns_mode'), 'userns_mode: host');
  for (const [i, opt] of service.securityOpt.entries()) {
    if (!SAFE_SECURITY_OPTS.has(opt)) refuse(at('security_opt', i), `${JSON.stringify(opt)} relaxes or replaces the engine's confinement (only no-new-privileges is accepted)`);
  }
  if (service.build) refuse(at('build'), 'the daemon would read the build context as root; build the image yourself or pull it');
  for (const [kind, hooks] of [['post_start', service.postStart], ['pre_stop', service.preStop]] as const) {
    for (const [i, hook] of (hooks ?? []).entries()) if (hook.privileged) refuse(at(kind, i, 'privileged'), 'a privileged hook is root on the host');
  }
  for (const [i, port] of service.ports.entries()) {
    const lowest = port.published === undefined ? undefined : Number(port.published.split('-')[0]);
    if (lowest !== undefined && lowest < LOWEST_PORT) refuse(at('ports', i), `host port ${port.published} (only ports above 1024)`);
  }
  const binds = service.volumes.map((v, i) => [v, i] as const).filter((entry): entry is readonly [Extract<VolumeMount, { type: 'bind' }>, number] => entry[0].type === 'bind');
  for (const [mount, i] of binds) {
    const refusal = caller.bindRefusal(mount.source);
    if (refusal !== undefined) refuse(at('volumes', i), `bind mount of ${mount.source}: ${refusal}`);
  }
  // Root in a container can leave a set-uid root file in a bind-mounted directory the caller then
  // runs on the host: a service with a bind mount runs as the caller and cannot gain privileges.
  if (binds.length > 0) {
    const uid = service.user?.split(':')[0];
    if (uid !== String(caller.uid)) refuse(service.user === undefined ? at('volumes') : at('user'), `a service with a bind mount must run as your uid (user: "${caller.uid}"), not ${service.user === undefined ? "the image's user" : JSON.stringify(service.user)}`);
    if (!service.securityOpt.some((o) => SAFE_SECURITY_OPTS.has(o))) refuse(at('volumes'), 'a service with a bind mount must set security_opt: [no-new-privileges:true]');
  }
}

/** The key's place in the file that wrote it; the nearest written ancestor when merging moved it. */
function diagnostic(tree: Node, path: Segment[], message: string): Diagnostic {
  const pos = positionOf(tree, path);
  return { severity: 'error', file: pos.file, line: pos.line, column: pos.col, path: path.reduce<string>((p, s) => joinPath(p, s), ''), message };
}

function positionOf(tree: Node, path: Segment[]): Pos {
  let node: Node = tree;
  let pos = tree.pos;
  for (const segment of path) {
    if (typeof segment === 'number' && node.kind === 'seq' && node.items[segment]) {
      node = node.items[segment]!;
      pos = node.pos;
    } else if (typeof segment === 'string' && node.kind === 'map' && node.entries.has(segment)) {
      const entry = node.entries.get(segment)!;
      pos = entry.keyPos;
      node = entry.value;
    } else break;
  }
  return pos;
}

function scalarAt(tree: Node, path: Segment[]): unknown {
  let node: Node | undefined = tree;
  for (const segment of path) node = typeof segment === 'string' && node?.kind === 'map' ? node.entries.get(segment)?.value : undefined;
  return node?.kind === 'scalar' ? node.value : undefined;
}
