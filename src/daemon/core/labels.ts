// Container and volume labels. compose's own labels keep `docker compose ps/logs` working on our
// containers; `dev.composed.*` marks what this daemon manages and owns.

export const LABEL_PROJECT = 'com.docker.compose.project';
export const LABEL_SERVICE = 'com.docker.compose.service';
export const LABEL_NUMBER = 'com.docker.compose.container-number';
export const LABEL_CONFIG_HASH = 'com.docker.compose.config-hash';
export const LABEL_ONEOFF = 'com.docker.compose.oneoff';
export const LABEL_WORKING_DIR = 'com.docker.compose.project.working_dir';
export const LABEL_CONFIG_FILES = 'com.docker.compose.project.config_files';
export const LABEL_VERSION = 'com.docker.compose.version';
export const LABEL_NETWORK = 'com.docker.compose.network';
export const LABEL_VOLUME = 'com.docker.compose.volume';

export const LABEL_MANAGED = 'dev.composed.managed';
/**
 * The image as the compose file names it, for `ps`: engines record it differently (Docker keeps
 * `busybox`, Podman 4.3.1 only the resolved `docker.io/library/busybox:latest`).
 */
export const LABEL_IMAGE = 'dev.composed.image';
/** On a replica's anonymous volume: the mount target it serves. */
export const LABEL_ANON_TARGET = 'dev.composed.anonymous-volume.target';
/** On a replica's anonymous volume: the replica number it belongs to. */
export const LABEL_ANON_NUMBER = 'dev.composed.anonymous-volume.number';

export function projectSelector(project: string): Record<string, string> {
  return { [LABEL_MANAGED]: 'true', [LABEL_PROJECT]: project };
}

export function replicaName(project: string, service: string, n: number): string {
  return `${project}-${service}-${n}`;
}

/** The container a start-first roll-out starts beside replica n before it takes over the name. */
export function surgeName(project: string, service: string, n: number): string {
  return `${replicaName(project, service, n)}-next`;
}

/**
 * The name a replica's old container is moved to when the engine cannot remove it, so that its
 * successor can be created under the replica's own name at once (labels cannot be changed on an
 * existing container; the name can). `epochMs` keeps each moved container's name unique.
 */
export function steppedAsideName(project: string, service: string, n: number, epochMs: number): string {
  return `${replicaName(project, service, n)}-dead-${epochMs}`;
}

/** Whether a container of replica n carries a name given by steppedAsideName. */
export function isSteppedAsideName(name: string, project: string, service: string, n: number): boolean {
  const prefix = `${replicaName(project, service, n)}-dead-`;
  return name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length));
}

/** Value of com.docker.compose.version on our containers: the compose file format generation we follow. */
export const COMPOSE_VERSION = '2.0.0-composed';
