// A replica's mounts from the normalized model (pure, part of spec.ts's create options): named
// volumes, binds and tmpfs of the service, and its secrets and configs as docker compose mounts
// them without swarm. Anonymous volumes are left to spec.ts, which needs their engine names.
import type Docker from 'dockerode';
import type { Project, Service, VolumeMount } from '../../compose/model.js';

/** A file the engine cannot bind from the host (inline config content), copied in after create. */
export interface InjectedFile {
  path: string;
  content: string;
  mode: number;
  uid: number;
  gid: number;
}

export function serviceMounts(project: Project, service: Service): { mounts: Docker.MountSettings[]; binds: string[] } {
  const mounts: Docker.MountSettings[] = [];
  const binds: string[] = [];
  for (const v of service.volumes) {
    if (v.type === 'volume') {
      if (v.source === undefined) continue; // anonymous: mounted once the adapter knows its engine name
      mounts.push(namedVolumeMount(project, v));
    } else if (v.type === 'bind') {
      // The engine creates a missing host path only for legacy Binds (Mounts answers "bind source
      // path does not exist"), and only Binds carry the SELinux relabel flags, as in compose.
      if (v.createHostPath || v.selinux) binds.push(legacyBind(v));
      else
        mounts.push({
          Type: 'bind',
          Source: v.source,
          Target: v.target,
          ReadOnly: v.readOnly,
          ...(v.propagation ? { BindOptions: { Propagation: v.propagation as Docker.MountPropagation } } : {}),
        });
    } else {
      const options = { ...(v.sizeBytes !== undefined ? { SizeBytes: v.sizeBytes } : {}), ...(v.mode !== undefined ? { Mode: v.mode } : {}) };
      mounts.push({
        Type: 'tmpfs',
        Source: '',
        Target: v.target,
        ...(Object.keys(options).length ? { TmpfsOptions: options as Docker.MountSettings['TmpfsOptions'] } : {}),
      });
    }
  }
  return { mounts, binds };
}

function namedVolumeMount(project: Project, v: Extract<VolumeMount, { type: 'volume' }>): Docker.MountSettings {
  const volume = project.volumes[v.source!];
  if (!volume) throw new Error(`service volume ${v.source} is not a top-level volume`);
  const options = { ...(v.nocopy ? { NoCopy: true } : {}), ...(v.subpath ? { Subpath: v.subpath } : {}) };
  return {
    Type: 'volume',
    Source: volume.name,
    Target: v.target,
    ReadOnly: v.readOnly,
    ...(Object.keys(options).length ? { VolumeOptions: options as Docker.MountSettings['VolumeOptions'] } : {}),
  };
}

function legacyBind(v: Extract<VolumeMount, { type: 'bind' }>): string {
  const options = [v.readOnly ? 'ro' : 'rw', v.propagation, v.selinux].filter((o): o is string => Boolean(o));
  return `${v.source}:${v.target}:${options.join(',')}`;
}

/**
 * Secrets and configs without swarm, as docker compose does: a file-based one is bind-mounted
 * read-only (secrets at /run/secrets/<target>, configs at <target> or /<name>); an inline config
 * (`content:`) is copied into the container after create.
 */
export function fileMounts(project: Project, service: Service): { binds: Docker.MountSettings[]; files: InjectedFile[] } {
  const binds: Docker.MountSettings[] = [];
  const files: InjectedFile[] = [];
  const refs = [
    ...service.secrets.map((ref) => ({ ref, kind: 'secret' as const, object: project.secrets[ref.source] })),
    ...service.configs.map((ref) => ({ ref, kind: 'config' as const, object: project.configs[ref.source] })),
  ];
  for (const { ref, kind, object } of refs) {
    if (!object) throw new Error(`service ${service.name}: ${kind} ${ref.source} is not defined at the top level`);
    const target = kind === 'secret' ? secretTarget(ref.target || ref.source) : configTarget(ref.target || ref.source);
    if (object.file) {
      binds.push({ Type: 'bind', Source: object.file, Target: target, ReadOnly: true });
    } else if (object.content !== undefined) {
      files.push({
        path: target,
        content: object.content,
        mode: ref.mode ?? 0o444,
        uid: Number(ref.uid ?? 0),
        gid: Number(ref.gid ?? 0),
      });
    } else {
      const how = object.external ? 'external (swarm only)' : `from the environment variable ${object.environment ?? '?'}`;
      throw new Error(`service ${service.name}: ${kind} ${ref.source} is ${how}, which composed cannot mount yet`);
    }
  }
  return { binds, files };
}

function secretTarget(target: string): string {
  return target.startsWith('/') ? target : `/run/secrets/${target}`;
}

function configTarget(target: string): string {
  return target.startsWith('/') ? target : `/${target}`;
}
