// What the x-composed extensions need from the rest of the service: autoscale on memory is a share
// of the memory limit; autoscale on connections or requests, scale to zero and a canary are what the
// built-in balancer sees and does (a service without a balanced port has nobody counting its
// connections, holding a first one, or weighting a canary).
import { balancedPorts } from './balanced-ports.js';
import type { Service } from './model.js';
import type { Field } from './read.js';
import type { NormalizeContext } from './context.js';
import { joinPath } from './tree.js';

export function reportBalancerNeeds(ctx: NormalizeContext, service: Service, composed: Field | undefined): void {
  if (!composed) return;
  const balanced = balancedPorts(service).length > 0;
  if (service.composed.canary && !balanced) {
    ctx.d.error(composed.node.pos, joinPath(composed.path, 'canary'), 'a canary takes its share of connections through the built-in balancer: publish a fixed TCP host port (like "8080:80") and keep x-composed.balance on');
  }
  const a = service.composed.autoscale;
  if (!a) return;
  const at = (why: string) => ctx.d.error(composed.node.pos, joinPath(composed.path, 'autoscale'), why);
  if (a.memory && !service.resources.limits.memoryBytes) {
    at('autoscale.memory is a percent of the memory limit: set deploy.resources.limits.memory (or mem_limit)');
  }
  if (balanced) return;
  const balancerMetrics = [a.connections && 'connections', a.requests && 'requests', a.min === 0 && 'min 0'].filter((m): m is string => typeof m === 'string');
  if (balancerMetrics.length > 0) {
    at(`autoscale ${balancerMetrics.join(', ')} needs the built-in balancer: publish a fixed TCP host port (like "8080:80") and keep x-composed.balance on`);
  }
}
