// Pod-level settings: the namespaces a service shares with the host, DNS, /etc/hosts, sysctls,
// groups, platform, and the defaults that keep a pod as isolated as a compose container.
import type { Service } from '../../compose/model.js';
import { servicePath, type ExportContext } from './context.js';
import type { Container, PodSpec, PodVolume } from './manifest.js';
import { DNS_LABEL } from './names.js';
import { seconds } from './quantity.js';

export interface PodParts {
  container: Container;
  initContainers: Container[];
  volumes: PodVolume[];
  restartPolicy?: 'Never' | 'OnFailure';
}

export function podSpec(ctx: ExportContext, service: Service, parts: PodParts): PodSpec {
  const security = podSecurity(ctx, service);
  const dnsConfig = podDns(service);
  const hostAliases = podHostAliases(ctx, service);
  const nodeSelector = platformSelector(ctx, service);
  return {
    ...(parts.restartPolicy ? { restartPolicy: parts.restartPolicy } : {}),
    // A compose container gets no cluster credentials and no docker-link style variables.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: seconds(service.stopGracePeriodMs),
    ...hostname(ctx, service),
    ...hostNamespaces(ctx, service),
    // Docker's init reaps zombies as PID 1; with a shared PID namespace the pod's pause process does.
    ...(service.init ? { shareProcessNamespace: true } : {}),
    ...(dnsConfig ? { dnsConfig } : {}),
    ...(hostAliases.length > 0 ? { hostAliases } : {}),
    ...(nodeSelector ? { nodeSelector } : {}),
    ...(security ? { securityContext: security } : {}),
    ...(parts.initContainers.length > 0 ? { initContainers: parts.initContainers } : {}),
    containers: [parts.container],
    ...(parts.volumes.length > 0 ? { volumes: parts.volumes } : {}),
  };
}

function hostname(ctx: ExportContext, service: Service): Pick<PodSpec, 'hostname'> {
  if (service.hostname === undefined) return {};
  if (service.hostname.length <= 63 && DNS_LABEL.test(service.hostname)) return { hostname: service.hostname };
  ctx.warnings.add(servicePath(service, 'hostname'), `not carried over: "${service.hostname}" is not a DNS label`);
  return {};
}

function hostNamespaces(ctx: ExportContext, service: Service): Pick<PodSpec, 'hostNetwork' | 'dnsPolicy' | 'hostPID' | 'hostIPC'> {
  const out: Pick<PodSpec, 'hostNetwork' | 'dnsPolicy' | 'hostPID' | 'hostIPC'> = {};
  if (service.networkMode === 'host') {
    out.hostNetwork = true;
    // Without it a host-network pod cannot resolve service names.
    out.dnsPolicy = 'ClusterFirstWithHostNet';
  } else if (service.networkMode !== undefined) {
    ctx.warnings.add(servicePath(service, 'network_mode'), `${service.networkMode} is not carried over; the pod gets its own network namespace`);
  }
  if (service.pid === 'host') out.hostPID = true;
  else if (service.pid !== undefined) ctx.warnings.add(servicePath(service, 'pid'), `${service.pid} is not carried over`);
  if (service.ipc === 'host') out.hostIPC = true;
  else if (service.ipc !== undefined && service.ipc !== 'private' && service.ipc !== 'shareable') {
    ctx.warnings.add(servicePath(service, 'ipc'), `${service.ipc} is not carried over`);
  }
  return out;
}

function podDns(service: Service): PodSpec['dnsConfig'] | undefined {
  if (service.dns.length === 0 && service.dnsSearch.length === 0 && service.dnsOpt.length === 0) return undefined;
  return {
    // Added after the cluster's own resolver, so service names still resolve first.
    ...(service.dns.length > 0 ? { nameservers: service.dns } : {}),
    ...(service.dnsSearch.length > 0 ? { searches: service.dnsSearch } : {}),
    ...(service.dnsOpt.length > 0
      ? {
          options: service.dnsOpt.map((o) => {
            const [name, value] = o.split(':', 2);
            return { name: name!, ...(value !== undefined ? { value } : {}) };
          }),
        }
      : {}),
  };
}

/** extra_hosts ("host:ip") grouped by address, sorted, as /etc/hosts lines. */
function podHostAliases(ctx: ExportContext, service: Service): NonNullable<PodSpec['hostAliases']> {
  const byIp = new Map<string, Set<string>>();
  for (const entry of service.extraHosts) {
    const colon = entry.indexOf(':');
    const host = entry.slice(0, colon);
    const ip = entry.slice(colon + 1).replace(/^\[(.*)\]$/, '$1');
    if (ip === 'host-gateway') {
      ctx.warnings.add(servicePath(service, 'extra_hosts'), `${host}:host-gateway is not carried over: pods have no single host to point at`);
      continue;
    }
    byIp.set(ip, (byIp.get(ip) ?? new Set()).add(host));
  }
  return [...byIp.keys()].sort().map((ip) => ({ ip, hostnames: [...byIp.get(ip)!].sort() }));
}

function platformSelector(ctx: ExportContext, service: Service): Record<string, string> | undefined {
  if (service.platform === undefined) return undefined;
  const [os, arch] = service.platform.split('/');
  if (!os || !arch) {
    ctx.warnings.add(servicePath(service, 'platform'), `${service.platform} is not carried over (expected OS/ARCH)`);
    return undefined;
  }
  return { 'kubernetes.io/arch': arch, 'kubernetes.io/os': os };
}

function podSecurity(ctx: ExportContext, service: Service): PodSpec['securityContext'] | undefined {
  const sysctls = Object.keys(service.sysctls).sort().map((name) => ({ name, value: service.sysctls[name]! }));
  const groups: number[] = [];
  for (const g of service.groupAdd) {
    if (/^\d+$/.test(g)) groups.push(Number(g));
    else ctx.warnings.add(servicePath(service, 'group_add'), `${g} is not carried over: Kubernetes takes numeric group ids only`);
  }
  if (sysctls.length === 0 && groups.length === 0) return undefined;
  return {
    ...(groups.length > 0 ? { supplementalGroups: groups.sort((a, b) => a - b) } : {}),
    ...(sysctls.length > 0 ? { sysctls } : {}),
  };
}
