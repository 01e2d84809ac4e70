// A service's mounts -> pod volumes and container volume mounts.
//
// named volume   -> its PersistentVolumeClaim (a StatefulSet's claim template when it has one)
// anonymous      -> emptyDir (kept across container restarts, not across pod replacement)
// tmpfs, shm_size -> emptyDir in memory
// bind mount     -> a warning; a hostPath only with --allow-hostpath
// configs/secrets -> their ConfigMap/Secret, one file per reference
import type { Service, VolumeMount as ComposeMount } from '../../compose/model.js';
import { parseBytes } from '../../compose/units.js';
import { displayPath, servicePath, type ExportContext } from './context.js';
import { fileMount, type FileKind } from './files.js';
import type { PodVolume, VolumeMount } from './manifest.js';
import { dnsLabel, NameTable } from './names.js';
import { bytesQuantity } from './quantity.js';
import type { WorkloadKind } from './workload-kind.js';

export interface PodStorage {
  volumes: PodVolume[];
  mounts: VolumeMount[];
  /** Named volumes that become the StatefulSet's volumeClaimTemplates, with their pod volume name. */
  claimTemplates: Array<{ key: string; name: string }>;
}

export function podStorage(ctx: ExportContext, service: Service, kind: WorkloadKind): PodStorage {
  const podNames = new NameTable(`pod volumes of ${service.name}`);
  const volumes: PodVolume[] = [];
  const mounts: VolumeMount[] = [];
  const claimTemplates: PodStorage['claimTemplates'] = [];
  const byVolumeKey = new Map<string, string>();
  let anonymous = 0;

  const memoryVolume = (base: string, sizeBytes: number | undefined): string => {
    const name = podNames.unique(base);
    volumes.push({ name, emptyDir: { medium: 'Memory', ...(sizeBytes ? { sizeLimit: bytesQuantity(sizeBytes) } : {}) } });
    return name;
  };

  for (const m of service.volumes) {
    if (m.type === 'volume' && m.source !== undefined) {
      const volume = ctx.project.volumes[m.source]!;
      let name = byVolumeKey.get(m.source);
      if (name === undefined) {
        const claimName = volume.external ? dnsLabel(volume.name) : ctx.names.volumes.get(m.source);
        name = podNames.unique(claimName);
        byVolumeKey.set(m.source, name);
        if (kind === 'StatefulSet' && !volume.external) claimTemplates.push({ key: m.source, name });
        else volumes.push({ name, persistentVolumeClaim: { claimName } });
      }
      mounts.push(mountOf(name, m));
    } else if (m.type === 'volume') {
      const name = podNames.unique(`anonymous-${++anonymous}`);
      volumes.push({ name, emptyDir: {} });
      mounts.push(mountOf(name, m));
    } else if (m.type === 'tmpfs') {
      if (m.mode !== undefined) ctx.warnings.add(servicePath(service, `volumes[${m.target}].tmpfs.mode`), 'not carried over: emptyDir permissions are fixed');
      mounts.push({ name: memoryVolume('tmpfs', m.sizeBytes), mountPath: m.target });
    } else {
      const hostPath = bindMount(ctx, service, m, podNames, volumes);
      if (hostPath) mounts.push(mountOf(hostPath, m));
    }
  }
  for (const spec of service.tmpfs) {
    const [target, options = ''] = splitTmpfs(spec);
    const size = /(?:^|,)size=([^,]+)/.exec(options)?.[1];
    mounts.push({ name: memoryVolume('tmpfs', size !== undefined ? parseBytes(size) : undefined), mountPath: target });
  }
  if (service.shmSizeBytes) mounts.push({ name: memoryVolume('dshm', service.shmSizeBytes), mountPath: '/dev/shm' });
  for (const kind of ['config', 'secret'] as const satisfies readonly FileKind[]) {
    for (const ref of kind === 'config' ? service.configs : service.secrets) {
      const { volume, mount } = fileMount(ctx, service, kind, ref, podNames.unique(dnsLabel(`${kind}-${ref.source}`)));
      volumes.push(volume);
      mounts.push(mount);
    }
  }
  return {
    volumes: volumes.sort((a, b) => compare(a.name, b.name)),
    mounts: mounts.sort((a, b) => compare(a.mountPath, b.mountPath)),
    claimTemplates: claimTemplates.sort((a, b) => compare(a.name, b.name)),
  };
}

function bindMount(ctx: ExportContext, service: Service, m: Extract<ComposeMount, { type: 'bind' }>, podNames: NameTable, volumes: PodVolume[]): string | undefined {
  const source = displayPath(ctx, m.source);
  if (!ctx.options.allowHostPath) {
    ctx.warnings.add(
      servicePath(service, 'volumes'),
      `bind mount of ${source} at ${m.target} is not carried over; use a config, a named volume, or --allow-hostpath`,
    );
    return undefined;
  }
  ctx.warnings.add(servicePath(service, 'volumes'), `bind mount of ${source} at ${m.target} is a hostPath: the path must exist on whichever node runs the pod`);
  if (m.propagation !== undefined || m.selinux !== undefined) {
    ctx.warnings.add(servicePath(service, 'volumes'), `the propagation and SELinux options of ${source} are not carried over`);
  }
  const name = podNames.unique('host');
  // No type: the source may be a file or a directory, and the export cannot look.
  volumes.push({ name, hostPath: { path: m.source } });
  return name;
}

function mountOf(name: string, m: Exclude<ComposeMount, { type: 'tmpfs' }>): VolumeMount {
  return {
    name,
    mountPath: m.target,
    ...(m.readOnly ? { readOnly: true } : {}),
    ...(m.type === 'volume' && m.subpath !== undefined ? { subPath: m.subpath } : {}),
  };
}

/** "/run:size=64m,mode=1777" -> ["/run", "size=64m,mode=1777"]. */
function splitTmpfs(spec: string): [string, string?] {
  const colon = spec.indexOf(':');
  return colon < 0 ? [spec] : [spec.slice(0, colon), spec.slice(colon + 1)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
