// Which published ports the daemon's built-in balancer serves instead of Docker. A fixed host port
// can be bound by one container only; a service that may run more than one replica (replicas > 1
// or autoscale.max > 1) gets the port from the daemon, which forwards each TCP connection to a
// ready replica. `x-composed.balance: false` keeps plain Docker publishing.
import type { PortMapping, Service } from './model.js';

export function maxReplicas(service: Service): number {
  return Math.max(service.replicas, service.composed.autoscale?.max ?? 0);
}

/** A single fixed host port ("8080", not a range, not ephemeral). */
export function isFixedHostPort(port: PortMapping): boolean {
  return port.published !== undefined && !port.published.includes('-') && port.published !== '0';
}

/** The ports the daemon publishes itself for this service (empty when Docker publishes them all). */
export function balancedPorts(service: Service): PortMapping[] {
  // A service that scales to zero needs the balancer even with one replica at most: it holds the
  // first connection while that replica starts.
  const scalesToZero = service.composed.autoscale?.min === 0;
  if (!service.composed.balance || (maxReplicas(service) <= 1 && !scalesToZero)) return [];
  return service.ports.filter((p) => isFixedHostPort(p) && p.protocol === 'tcp');
}
