// Kubernetes Services: the compose service name stays the address other services use.
//
// A service that declares ports (`ports` or `expose`) gets a ClusterIP Service on those container
// ports. One that declares none gets a headless Service: its name resolves to its ready pods'
// addresses and every port answers, as on a compose network. With --expose, published ports also
// get a `<name>-public` LoadBalancer or NodePort Service on the published port numbers.
import type { PortMapping, Service } from '../../compose/model.js';
import { selectorLabels, serviceMeta, servicePath, type ExportContext } from './context.js';
import type { KubeService } from './manifest.js';
import { listenPorts, protocolOf } from './ports.js';

type ServicePort = NonNullable<NonNullable<KubeService['spec']>['ports']>[number];

const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

export function kubeServices(ctx: ExportContext, service: Service): KubeService[] {
  const out = [internalService(ctx, service)];
  if (service.ports.length === 0) return out;
  if (!ctx.options.expose) {
    ctx.warnings.add(
      servicePath(service, 'ports'),
      `published ports are reachable inside the cluster only (as ${ctx.names.services.get(service.name)}:PORT); use --expose, an Ingress, or kubectl port-forward`,
    );
    return out;
  }
  const external = externalService(ctx, service);
  if (external) out.push(external);
  return out;
}

function internalService(ctx: ExportContext, service: Service): KubeService {
  const ports = listenPorts(service);
  const spec: KubeService['spec'] =
    ports.length === 0
      ? { clusterIP: 'None', selector: selectorLabels(ctx, service) }
      : {
          type: 'ClusterIP',
          selector: selectorLabels(ctx, service),
          ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })),
        };
  return { apiVersion: 'v1', kind: 'Service', metadata: serviceMeta(ctx, service), spec };
}

function externalService(ctx: ExportContext, service: Service): KubeService | undefined {
  const nodePort = ctx.options.expose === 'nodeport';
  const ports: ServicePort[] = [];
  const seen = new Set<string>();
  for (const p of service.ports) {
    const published = publishedPort(ctx, service, p);
    if (published === undefined) continue;
    const protocol = protocolOf(p.protocol);
    const key = `${published}/${protocol}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const inRange = published >= NODE_PORT_MIN && published <= NODE_PORT_MAX;
    if (nodePort && !inRange && p.published !== undefined) {
      ctx.warnings.add(servicePath(service, 'ports'), `host port ${published} is outside the NodePort range ${NODE_PORT_MIN}-${NODE_PORT_MAX}; the cluster picks the node port`);
    }
    ports.push({
      name: `${protocol.toLowerCase()}-${published}`,
      port: published,
      targetPort: p.target,
      protocol,
      ...(nodePort && inRange && p.published !== undefined ? { nodePort: published } : {}),
    });
  }
  if (ports.length === 0) return undefined;
  const base = ctx.names.services.get(service.name);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: serviceMeta(ctx, service, ctx.names.services.unique(`${base}-public`)),
    spec: { type: nodePort ? 'NodePort' : 'LoadBalancer', selector: selectorLabels(ctx, service), ports: ports.sort((a, b) => a.port - b.port) },
  };
}

/** The port outside clients use, or undefined when the mapping must stay inside the cluster. */
function publishedPort(ctx: ExportContext, service: Service, p: PortMapping): number | undefined {
  const where = `${p.hostIp ? `${p.hostIp}:` : ''}${p.published ?? ''}:${p.target}`;
  if (p.hostIp !== undefined && isLoopback(p.hostIp)) {
    ctx.warnings.add(servicePath(service, 'ports'), `${where} is published on the loopback address only; kept inside the cluster (use kubectl port-forward)`);
    return undefined;
  }
  if (p.hostIp !== undefined && p.hostIp !== '0.0.0.0' && p.hostIp !== '::') {
    ctx.warnings.add(servicePath(service, 'ports'), `the host address of ${where} is not carried over; the Service listens on all of its addresses`);
  }
  if (p.published === undefined) return p.target;
  const [first, last] = p.published.split('-');
  if (last !== undefined) {
    ctx.warnings.add(servicePath(service, 'ports'), `host port range ${p.published} is not carried over; the Service uses port ${first}`);
  }
  return Number(first);
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip === 'localhost' || ip.startsWith('127.');
}
