// Project -> Kubernetes manifests and the warnings about what could not be carried over.
// Pure: the caller reads files and writes output; the same project always gives the same result.
import type { Project } from '../../compose/model.js';
import { autoscaler } from './autoscale.js';
import { mainContainer } from './container.js';
import { createContext, type ExportContext } from './context.js';
import { fileObjectManifest, type FileKind } from './files.js';
import { sortManifests, type Manifest } from './manifest.js';
import { dnsLabel } from './names.js';
import type { ExportInput } from './options.js';
import { podSpec } from './pod.js';
import { kubeServices } from './services.js';
import { persistentVolumeClaim } from './storage.js';
import { warnUnsupported } from './unsupported.js';
import { podStorage } from './volumes.js';
import { waitContainers } from './wait.js';
import type { ExportWarning } from './warnings.js';
import { workload } from './workload.js';
import { workloadKind, type WorkloadKind } from './workload-kind.js';

export interface ExportResult {
  /** In apply order: kinds as KIND_ORDER, then names. */
  manifests: Manifest[];
  /** Sorted by compose key. */
  warnings: ExportWarning[];
}

export function exportKubernetes(input: ExportInput): ExportResult {
  const ctx = createContext(input);
  const { project } = ctx;
  const manifests: Manifest[] = [];
  const kinds = new Map<string, WorkloadKind>();
  for (const name of Object.keys(project.services).sort()) {
    const service = project.services[name]!;
    const kind = workloadKind(project, service);
    kinds.set(name, kind);
    const storage = podStorage(ctx, service, kind);
    const pod = podSpec(ctx, service, {
      container: mainContainer(ctx, service, storage.mounts),
      initContainers: waitContainers(ctx, service),
      volumes: storage.volumes,
      ...(kind === 'Job' ? { restartPolicy: service.restart.condition === 'on-failure' ? ('OnFailure' as const) : ('Never' as const) } : {}),
    });
    manifests.push(workload(ctx, service, kind, storage, pod), ...kubeServices(ctx, service));
    const hpa = autoscaler(ctx, service, kind);
    if (hpa) manifests.push(hpa);
    warnUnsupported(ctx, service);
  }
  manifests.push(...claims(ctx, kinds));
  for (const kind of ['config', 'secret'] as const satisfies readonly FileKind[]) {
    for (const key of usedFileObjects(project, kind)) {
      const m = fileObjectManifest(ctx, kind, key);
      if (m) manifests.push(m);
    }
  }
  warnNetworks(ctx);
  return { manifests: sortManifests(manifests), warnings: ctx.warnings.sorted() };
}

/**
 * A claim for each named volume a Deployment or Job mounts (a StatefulSet brings its own), and the
 * differences in how volumes are shared.
 */
function claims(ctx: ExportContext, kinds: Map<string, WorkloadKind>): Manifest[] {
  const out: Manifest[] = [];
  const { project } = ctx;
  for (const key of Object.keys(project.volumes).sort()) {
    const volume = project.volumes[key]!;
    const users = Object.keys(project.services)
      .sort()
      .filter((s) => project.services[s]!.volumes.some((m) => m.type === 'volume' && m.source === key));
    if (users.length === 0) continue;
    if (volume.external) {
      ctx.warnings.add(`volumes.${key}`, `external: a PersistentVolumeClaim named ${dnsLabel(volume.name)} must exist in the namespace`);
      continue;
    }
    const perReplica = users.filter((s) => kinds.get(s) === 'StatefulSet');
    for (const s of perReplica) {
      ctx.warnings.add(`volumes.${key}`, `each replica of ${s} gets its own claim (a StatefulSet); in composed its replicas share the volume`);
    }
    if (users.length > 1) {
      ctx.warnings.add(
        `volumes.${key}`,
        `shared by ${users.join(', ')}: a ReadWriteOnce claim is mounted on one node at a time; use a ReadWriteMany storage class or keep those pods on one node`,
      );
    }
    if (perReplica.length < users.length) out.push(persistentVolumeClaim(ctx, key));
  }
  return out;
}

function usedFileObjects(project: Project, kind: FileKind): string[] {
  const used = new Set<string>();
  for (const s of Object.values(project.services)) for (const ref of kind === 'config' ? s.configs : s.secrets) used.add(ref.source);
  return [...used].sort();
}

/** Compose networks separate services; a namespace's pods all reach each other. */
function warnNetworks(ctx: ExportContext): void {
  const used = new Set<string>();
  for (const s of Object.values(ctx.project.services)) for (const n of Object.keys(s.networks)) used.add(n);
  const separated = used.size > 1 || [...used].some((n) => ctx.project.networks[n]?.internal);
  if (separated) {
    ctx.warnings.add('networks', 'not carried over: pods in a namespace all reach each other and the outside; add NetworkPolicies to separate them');
  }
}
