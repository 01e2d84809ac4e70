// Service keys with no Kubernetes counterpart: each one present is a warning naming it.
import type { Service } from '../../compose/model.js';
import { servicePath, type ExportContext } from './context.js';

export function warnUnsupported(ctx: ExportContext, service: Service): void {
  const warn = (key: string, why: string): void => ctx.warnings.add(servicePath(service, key), `not carried over: ${why}`);
  if (service.containerName !== undefined) warn('container_name', 'pods are named by their workload');
  if (service.domainname !== undefined) warn('domainname', 'pods take the cluster domain');
  if (service.stopSignal !== undefined) warn('stop_signal', 'the container gets SIGTERM; handle it or use a preStop hook');
  if (Object.keys(service.ulimits).length > 0) warn('ulimits', 'limits come from the node\'s container runtime');
  if (service.devices.length > 0) warn('devices', 'use a device plugin');
  if (service.runtime !== undefined) warn('runtime', 'choose a RuntimeClass (runtimeClassName) that the cluster defines');
  if (service.logging !== undefined) warn('logging', 'the cluster collects container output');
  for (const [network, settings] of Object.entries(service.networks).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (settings.aliases.length > 0) warn(`networks.${network}.aliases`, 'only the service name resolves');
    if (settings.ipv4Address !== undefined) warn(`networks.${network}.ipv4_address`, 'pods get addresses from the cluster');
    if (settings.ipv6Address !== undefined) warn(`networks.${network}.ipv6_address`, 'pods get addresses from the cluster');
  }
}
