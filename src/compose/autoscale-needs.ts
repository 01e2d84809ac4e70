// What each autoscale metric needs from the rest of the service: memory is a share of the memory
// limit, and connections, requests and scale to zero are what the built-in balancer sees and does
// (a service without a balanced port has nobody counting its connections or holding a first one).
import { balancedPorts } from './balanced-ports.js';
import type { Service } from './model.js';
import type { Field } from './read.js';
import type { NormalizeContext } from './context.js';
import { joinPath } from './tree.js';

export function reportAutoscaleNeeds(ctx: NormalizeContext, service: Service, composed: Field | undefined): void {
  const a = service.composed.autoscale;
  if (!a || !composed) return;
  const at = (why: string) => ctx.d.error(composed.node.pos, joinPath(composed.path, 'autoscale'), why);
  if (a.memory && !service.resources.limits.memoryBytes) {
    at('autoscale.memory is a percent of the memory limit: set deploy.resources.limits.memory (or mem_limit)');
  }
  if (balancedPorts(service).length > 0) return;
  const balancerMetrics = [a.connections && 'connections', a.requests && 'requests', a.min === 0 && 'min 0'].filter((m): m is string => typeof m === 'string');
  if (balancerMetrics.length > 0) {
    at(`autoscale ${balancerMetrics.join(', ')} needs the built-in balancer: publish a fixed TCP host port (like "8080:80") and keep x-composed.balance on`);
  }
}
