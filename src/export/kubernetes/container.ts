// The service's own container: image, entrypoint/command, environment, ports, resources, probes,
// mounts and the container-level security settings.
import type { PullPolicy, Service } from '../../compose/model.js';
import { servicePath, type ExportContext } from './context.js';
import { containerEnv } from './environment.js';
import { escapeExpansion } from './escape.js';
import type { Container, VolumeMount } from './manifest.js';
import { listenPorts } from './ports.js';
import { probesFor } from './probes.js';
import { containerResources } from './resources.js';

const PULL_POLICY: Record<PullPolicy, Container['imagePullPolicy']> = {
  always: 'Always',
  never: 'Never',
  missing: 'IfNotPresent',
  build: 'IfNotPresent',
};

export function mainContainer(ctx: ExportContext, service: Service, mounts: VolumeMount[]): Container {
  if (service.build) {
    ctx.warnings.add(servicePath(service, 'build'), `not carried over: build ${service.image} and push it to a registry the cluster pulls from`);
  }
  const env = containerEnv(ctx, service);
  const ports = listenPorts(service);
  const resources = containerResources(ctx, service);
  const securityContext = containerSecurity(ctx, service);
  return {
    name: ctx.names.services.get(service.name),
    image: service.image,
    imagePullPolicy: PULL_POLICY[service.pullPolicy],
    // Docker's entrypoint is Kubernetes' command; Docker's command is Kubernetes' args.
    ...(service.entrypoint !== undefined ? { command: service.entrypoint.map(escapeExpansion) } : {}),
    ...(service.command !== undefined ? { args: service.command.map(escapeExpansion) } : {}),
    ...(service.workingDir !== undefined ? { workingDir: service.workingDir } : {}),
    ...(env.length > 0 ? { env } : {}),
    ...(ports.length > 0 ? { ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })) } : {}),
    ...(resources ? { resources } : {}),
    ...probesFor(ctx, service),
    ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
    ...(securityContext ? { securityContext } : {}),
    ...(service.tty ? { tty: true } : {}),
    ...(service.stdinOpen ? { stdin: true } : {}),
  };
}

type SecurityContext = NonNullable<Container['securityContext']>;

function containerSecurity(ctx: ExportContext, service: Service): SecurityContext | undefined {
  const out: SecurityContext = {};
  if (service.privileged) out.privileged = true;
  if (service.readOnly) out.readOnlyRootFilesystem = true;
  // Kubernetes names capabilities without Docker's optional CAP_ prefix.
  const caps = (list: string[]): string[] => list.map((c) => c.toUpperCase().replace(/^CAP_/, '')).sort();
  if (service.capAdd.length > 0 || service.capDrop.length > 0) {
    out.capabilities = {
      ...(service.capAdd.length > 0 ? { add: caps(service.capAdd) } : {}),
      ...(service.capDrop.length > 0 ? { drop: caps(service.capDrop) } : {}),
    };
  }
  if (service.user !== undefined) {
    const m = /^(\d+)(?::(\d+))?$/.exec(service.user);
    if (m) {
      out.runAsUser = Number(m[1]);
      if (m[2] !== undefined) out.runAsGroup = Number(m[2]);
    } else {
      ctx.warnings.add(servicePath(service, 'user'), `not carried over: Kubernetes takes numeric ids only (runAsUser), not "${service.user}"`);
    }
  }
  for (const opt of service.securityOpt) {
    if (/^no-new-privileges(?:[:=]true)?$/.test(opt)) out.allowPrivilegeEscalation = false;
    else ctx.warnings.add(servicePath(service, 'security_opt'), `${opt} is not carried over`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
