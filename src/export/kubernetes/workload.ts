// The workload object around a service's pod: Deployment, StatefulSet or Job (workload-kind.ts says
// which), with the replica count, roll-out strategy and retry limits composed would use.
import type { Service } from '../../compose/model.js';
import { selectorLabels, serviceMeta, servicePath, type ExportContext } from './context.js';
import { splitLabels } from './labels.js';
import { sortedKeys } from './sorted-keys.js';
import type { Deployment, Job, PodSpec, StatefulSet, Workload } from './manifest.js';
import { claimSpec } from './storage.js';
import type { PodStorage } from './volumes.js';
import type { WorkloadKind } from './workload-kind.js';

/** The largest backoffLimit the API takes: composed's on-failure without a count never gives up. */
const UNLIMITED_RETRIES = 2_147_483_647;

type PodTemplate = NonNullable<NonNullable<Deployment['spec']>['template']>;

export function workload(ctx: ExportContext, service: Service, kind: WorkloadKind, storage: PodStorage, pod: PodSpec): Workload {
  const template = podTemplate(ctx, service, pod);
  const metadata = serviceMeta(ctx, service);
  // With an autoscaler the count is the autoscaler's: a count here would reset it on every apply.
  const replicas = service.composed.autoscale ? {} : { replicas: service.replicas };
  const selector = { matchLabels: selectorLabels(ctx, service) };
  if (kind === 'Job') return job(ctx, service, template);
  if (kind === 'StatefulSet') {
    const sts: StatefulSet = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata,
      spec: {
        serviceName: ctx.names.services.get(service.name),
        ...replicas,
        // compose starts replicas together, not one after another.
        podManagementPolicy: 'Parallel',
        selector,
        template,
        volumeClaimTemplates: storage.claimTemplates.map(({ key, name }) => ({ metadata: { name }, spec: claimSpec(ctx, key) })),
      },
    };
    return sts;
  }
  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: { ...replicas, selector, strategy: strategy(service, storage), template },
  };
  return deployment;
}

function podTemplate(ctx: ExportContext, service: Service, spec: PodSpec): PodTemplate {
  const { labels, annotations } = splitLabels(ctx, service.labels, servicePath(service, 'labels'));
  return {
    metadata: {
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      // The selector labels last: a compose label must not take a pod out of its own workload.
      labels: sortedKeys({ ...labels, ...selectorLabels(ctx, service) }),
    },
    spec,
  };
}

/**
 * update_config -> RollingUpdate. start-first surges new pods before old ones go; stop-first removes
 * old ones first. composed picks stop-first only for a fixed host port, which pods do not hold; but
 * a pod with a ReadWriteOnce claim cannot start beside the old one on another node, so such a
 * Deployment is recreated unless update_config.order asks for start-first.
 */
function strategy(service: Service, storage: PodStorage): NonNullable<Deployment['spec']>['strategy'] {
  const u = service.updateConfig;
  const claims = storage.volumes.some((v) => v.persistentVolumeClaim !== undefined);
  if (claims && u.order !== 'start-first') return { type: 'Recreate' };
  const step = u.parallelism >= Number.MAX_SAFE_INTEGER ? '100%' : u.parallelism;
  const stopFirst = u.order === 'stop-first';
  return { type: 'RollingUpdate', rollingUpdate: { maxSurge: stopFirst ? 0 : step, maxUnavailable: stopFirst ? step : 0 } };
}

function job(ctx: ExportContext, service: Service, template: PodTemplate): Job {
  const onFailure = service.restart.condition === 'on-failure';
  if (!onFailure && (service.ports.length > 0 || service.expose.length > 0)) {
    ctx.warnings.add(
      servicePath(service, 'restart'),
      `"no" (the default) runs ${service.name} once as a Job, as composed does; set restart: always to make it a Deployment`,
    );
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: serviceMeta(ctx, service),
    spec: {
      parallelism: service.replicas,
      completions: service.replicas,
      backoffLimit: onFailure ? service.restart.maxAttempts ?? UNLIMITED_RETRIES : 0,
      template,
    },
  };
}
