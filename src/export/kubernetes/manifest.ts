// The Kubernetes objects the export writes, typed by the Kubernetes API's own OpenAPI definitions
// (kubernetes-models). The import is type-only: it is erased at build time, so the export has no
// runtime dependency, while a misspelt field is a compile error here.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';

export type { IContainer as Container } from 'kubernetes-models/v1/Container';
export type { IPodSpec as PodSpec } from 'kubernetes-models/v1/PodSpec';
export type { IProbe as Probe } from 'kubernetes-models/v1/Probe';
export type { IVolume as PodVolume } from 'kubernetes-models/v1/Volume';
export type { IVolumeMount as VolumeMount } from 'kubernetes-models/v1/VolumeMount';

export type Deployment = IDeployment;
export type StatefulSet = IStatefulSet;
export type Job = IJob;
export type HorizontalPodAutoscaler = IHorizontalPodAutoscaler;
export type ConfigMap = IConfigMap;
export type Secret = ISecret;
export type PersistentVolumeClaim = IPersistentVolumeClaim;
export type KubeService = IService;
export type ObjectMeta = NonNullable<IDeployment['metadata']>;

export type Workload = Deployment | StatefulSet | Job;
export type Manifest = ConfigMap | Secret | PersistentVolumeClaim | KubeService | Workload | HorizontalPodAutoscaler;

/** The order `kubectl apply` should see kinds in: what pods mount and reach comes before the pods. */
const KIND_ORDER: ReadonlyArray<Manifest['kind']> = [
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
  'Service',
  'Deployment',
  'StatefulSet',
  'Job',
  'HorizontalPodAutoscaler',
];

/** Kinds first (in KIND_ORDER), then names: the one order every output uses. */
export function sortManifests(list: Manifest[]): Manifest[] {
  const rank = (m: Manifest): number => KIND_ORDER.indexOf(m.kind);
  const name = (m: Manifest): string => m.metadata?.name ?? '';
  return [...list].sort((a, b) => rank(a) - rank(b) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
}
