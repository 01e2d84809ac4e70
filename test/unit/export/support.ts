// Shared by the export tests: a Project around service fixtures, one call to the export, and the
// Kubernetes API schema check every manifest must pass.
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service as KubeServiceModel } from 'kubernetes-models/v1/Service';
import type { Project, Service, Volume } from '../../../src/compose/model.js';
import { exportKubernetes, type ExportResult } from '../../../src/export/kubernetes/export.js';
import type { Manifest } from '../../../src/export/kubernetes/manifest.js';
import type { ExportOptions } from '../../../src/export/kubernetes/options.js';
import { formatWarning } from '../../../src/export/kubernetes/warnings.js';
import { volumeFixture } from '../../support/fixtures.js';

export function projectOf(services: Service[], over: Partial<Project> = {}): Project {
  return {
    name: 'proj',
    workingDir: '/proj',
    configFiles: ['/proj/compose.yaml'],
    dependencyFiles: [],
    profiles: [],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    disabledServices: [],
    networks: { default: { name: 'proj_default', external: false, driverOpts: {}, internal: false, attachable: false, enableIpv6: false, labels: {} } },
    volumes: {},
    secrets: {},
    configs: {},
    extensions: {},
    ...over,
  };
}

export function volumeOf(key: string, over: Partial<Volume> = {}): Volume {
  return volumeFixture(`proj_${key}`, over);
}

export interface RunOptions extends Partial<ExportOptions> {
  files?: Record<string, string>;
  env?: Record<string, string>;
}

export function run(project: Project, opts: RunOptions = {}): ExportResult & { warningLines: string[] } {
  const { files = {}, env = {}, ...options } = opts;
  const result = exportKubernetes({
    project,
    options: { allowHostPath: false, ...options },
    readFile: (p) => (files[p] === undefined ? undefined : Buffer.from(files[p]!, 'utf8')),
    env,
  });
  for (const m of result.manifests) validateManifest(m);
  return { ...result, warningLines: result.warnings.map(formatWarning) };
}

/** The one manifest of `kind` named `name`; fails the test when there is none. */
export function find<K extends Manifest['kind']>(result: ExportResult, kind: K, name: string): Extract<Manifest, { kind: K }> {
  const m = result.manifests.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!m) throw new Error(`no ${kind} ${name} in ${result.manifests.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`);
  return m as Extract<Manifest, { kind: K }>;
}

const MODELS: Record<Manifest['kind'], new (data: never) => { validate(): void }> = {
  ConfigMap,
  Secret,
  PersistentVolumeClaim,
  Service: KubeServiceModel,
  Deployment,
  StatefulSet,
  Job,
  HorizontalPodAutoscaler,
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Throws unless the manifest passes its kind's Kubernetes API schema (kubernetes-models) and the
 * checks the schema leaves to the API server: object and container names are DNS labels.
 */
export function validateManifest(m: Manifest): void {
  const Model = MODELS[m.kind];
  new Model(m as never).validate();
  const name = m.metadata?.name ?? '';
  if (!DNS_LABEL.test(name) || name.length > 63) throw new Error(`${m.kind} name ${JSON.stringify(name)} is not a DNS label`);
  const pod = 'spec' in m && m.spec && 'template' in m.spec ? m.spec.template?.spec : undefined;
  for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
    if (!DNS_LABEL.test(c.name)) throw new Error(`container name ${JSON.stringify(c.name)} is not a DNS label`);
  }
  for (const v of pod?.volumes ?? []) {
    if (!DNS_LABEL.test(v.name)) throw new Error(`volume name ${JSON.stringify(v.name)} is not a DNS label`);
  }
}
