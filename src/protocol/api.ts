// The control API's wire types: what the CLI sends and receives. The CLI imports only this file
// from the daemon. Field names here are the stable `status --json` format (documented in README).
import type { Diagnostic } from '../compose/errors.js';

/** POST /v1/projects: how to load the project. The daemon loads the files itself. */
export interface LoadRequest {
  /** Absolute paths of the compose files, in order; empty means "find them from cwd". */
  files: string[];
  projectName?: string;
  /** Absolute working directory of the CLI. */
  cwd: string;
  /** The CLI's environment, used for interpolation. */
  env: Record<string, string>;
  profiles: string[];
  /**
   * `up SERVICE...`: only these services (and what they depend on, unless `noDeps`) start or take
   * the new config; the file's others are left as they are. Not kept: a reload reads the whole file.
   */
  services?: string[];
  noDeps?: boolean;
  /**
   * `up --pull`: this load pulls by this policy instead of each service's pull_policy. Not kept:
   * a reload, and every replacement after, goes by the file again.
   */
  pull?: PullOverride;
}

export const PULL_OVERRIDES = ['always', 'missing', 'never'] as const;
export type PullOverride = (typeof PULL_OVERRIDES)[number];

/** One layer of an image being pulled, as the engine last reported it (bytes when it counts them). */
export interface LayerProgress {
  image: string;
  layer: string;
  status: string;
  current?: number;
  total?: number;
}

export interface UpResponse {
  project: string;
  services: string[];
  warnings: Diagnostic[];
}

export interface ErrorResponse {
  error: string;
  /** The request field at fault, when there is one. */
  field?: string;
  diagnostics?: Diagnostic[];
  /** A file the caller may not read (403): named, its content never shown. */
  file?: string;
}

/** One line of the NDJSON progress stream of POST /v1/projects. */
export type UpProgress =
  | { kind: 'progress'; resource: string; message: string; layer?: LayerProgress }
  | { kind: 'done'; result: UpResponse }
  | { kind: 'error'; error: ErrorResponse };

export type ReplicaPhase =
  | 'running'
  | 'starting'
  | 'unhealthy'
  | 'created'
  | 'exited'
  | 'completed'
  | 'backoff'
  | 'failed'
  | 'stopped'
  | 'missing';

export interface ExitStatus {
  cause: 'exit' | 'unhealthy' | 'removed';
  exitCode?: number;
  oomKilled: boolean;
  /** ISO time. */
  at: string;
  logTail: string[];
  healthOutput?: string;
}

export interface ReplicaStatus {
  number: number;
  name: string;
  containerId?: string;
  phase: ReplicaPhase;
  health: 'none' | 'starting' | 'healthy' | 'unhealthy';
  /** Output of the last health probe, for a replica that is unhealthy now. */
  healthOutput?: string;
  ready: boolean;
  /** ISO time the current container started; absent when not running. */
  startedAt?: string;
  uptimeSeconds?: number;
  restarts: number;
  /** ISO times of the most recent restarts, oldest first. */
  restartTimes: string[];
  /** ISO time of the next replacement attempt (phase backoff). */
  nextRetryAt?: string;
  /** Why the replica is in this phase (backoff, failed, exited). */
  reason?: string;
  lastExit?: ExitStatus;
  cpuPercent?: number;
}

export type ServicePhase = 'running' | 'starting' | 'degraded' | 'waiting' | 'blocked' | 'backoff' | 'failed' | 'completed' | 'stopped' | 'scaled-to-zero';

export interface ServiceStatus {
  name: string;
  image: string;
  phase: ServicePhase;
  /** Why the service is in this phase (the dependency it waits for, the last error). */
  message?: string;
  desired: number;
  running: number;
  ready: number;
  restarts: number;
  replicas: ReplicaStatus[];
  autoscale?: AutoscaleStatus;
  /** The built-in balancer's listeners and, per replica, connections (active, total) and bytes. */
  balancer?: Array<{
    listen: string;
    replicas: Array<{ name: string; active: number; total: number; bytesIn: number; bytesOut: number; failures: number; resets: number }>;
  }>;
  /** Who runs the healthcheck, when it is not the engine (and why). */
  healthProbes?: string;
  /** The last roll-out of a changed config. */
  rollout?: { state: 'rolling-out' | 'complete' | 'rolled-back' | 'paused'; message: string; at: string };
  /** Set while the service runs a revision a rollback chose instead of the file's config (until the file changes). */
  pinned?: { revision: number; reason: string; since: string };
  /** What needs a person's eye without stopping the service (an old container the engine cannot remove). */
  warnings?: string[];
  /** Following the image tag (`x-composed.update`), when the service does. */
  tagFollow?: TagFollowStatus;
}

export interface TagFollowStatus {
  policy: 'auto' | 'notify' | 'off';
  /** The tag followed, as the file names it. */
  tag: string;
  /** The digest the replicas run, and where the tag pointed at the last successful check. */
  runningDigest?: string;
  latestDigest?: string;
  /** The tag points at a digest the service does not run and has not rejected. */
  updateAvailable: boolean;
  /** ISO times. */
  checkedAt?: string;
  nextCheckAt?: string;
  /** Why the last check failed (the next one is only delayed). */
  checkError?: string;
  /** Digests rolled back once and never tried again. */
  rejected: string[];
  last?: { state: 'available' | 'rolling-out' | 'updated' | 'rolled-back'; from?: string; to: string; at: string; message: string };
}

/** POST /v1/projects/{name}/update: check the tags now; apply what auto would unless `check`. */
export interface UpdateRequest {
  services: string[];
  check: boolean;
}

export interface UpdateResponse {
  services: UpdateResult[];
}

export interface UpdateResult {
  service: string;
  /** current: the tag points where the replicas run; available: it moved (check only); updating: pulled, rolling out. */
  outcome: 'current' | 'available' | 'updating' | 'rejected' | 'failed' | 'not-followed';
  message: string;
  runningDigest?: string;
  latestDigest?: string;
}

export interface AutoscaleStatus {
  min: number;
  max: number;
  /** Set when cpu is one of the metrics. */
  targetCpu?: number;
  averageCpu?: number;
  /** Every metric the service scales on, with its target and its last average over ready replicas. */
  metrics: Array<{ metric: 'cpu' | 'memory' | 'connections' | 'requests'; target: number; average?: number }>;
  /** At 0 replicas by the autoscaler (min 0): the balancer wakes it on the next connection. */
  scaledToZero?: boolean;
  lastDecision?: { at: string; from: number; to: number; reason: string; metric?: string };
}

/** The container engine the daemon talks to (GET /v1/version and status). */
export interface EngineDescription {
  /** `docker`, `podman`, or the engine's own name. */
  name: string;
  version: string;
  apiVersion: string;
  /** unix:///path, tcp://host:port, tcp+tls://..., ssh://user@host:port */
  address: string;
  /** How the address was chosen: DOCKER_HOST, a docker context, the default or rootless socket. */
  source: string;
}

/** GET /v1/version. `engine` is absent (and `engineError` says why) when the engine does not answer. */
export interface VersionResponse {
  version: string;
  api: 'v1';
  pid: number;
  engine?: EngineDescription;
  engineError?: string;
}

export interface ProjectStatus {
  name: string;
  workingDir: string;
  configFiles: string[];
  engine: 'reachable' | 'unreachable';
  /** Which engine, when it answered in time. */
  engineInfo?: EngineDescription;
  /** The last reload's errors; the previous valid config keeps running meanwhile. */
  configErrors: Diagnostic[];
  /** The loader's warnings for the running config (e.g. a bind mount of the Docker socket). */
  warnings: Diagnostic[];
  services: ServiceStatus[];
  /** The receivers this project's notifications go to (`daemon --notify` and the file's x-composed.notify), when there are any. */
  notifications?: NotificationDelivery[];
}

/** How notifications to one receiver go. Named by format and scheme://host only: a webhook's path and query hold its token. */
export interface NotificationDelivery {
  endpoint: string;
  /** `daemon`: from `composed daemon --notify`; `project`: from the compose file. */
  scope: 'daemon' | 'project';
  sent: number;
  /** Given up after the last try, or refused as a bad request (4xx). */
  failed: number;
  /** Pushed out of a full backlog before they were tried. */
  dropped: number;
  /** Waiting or in flight. */
  queued: number;
  lastError?: string;
  /** ISO times. */
  lastErrorAt?: string;
  lastSentAt?: string;
}

export interface ProjectSummary {
  name: string;
  workingDir: string;
  configFiles: string[];
  services: number;
  running: number;
  desired: number;
}

/** One entry of GET /v1/events (NDJSON). */
export interface DaemonEvent {
  /** ISO time. */
  time: string;
  project?: string;
  service?: string;
  replica?: number;
  type: DaemonEventType;
  message: string;
  /** Who asked, for the events of a request that changes something (up, down, scale, ...). */
  caller?: EventCaller;
}

/** The kernel's word on a socket client; `token` for the TCP listener's token holder. */
export interface EventCaller {
  via: 'socket' | 'http';
  uid?: number;
  gid?: number;
  pid?: number;
}

export type DaemonEventType =
  | 'project-up'
  | 'project-down'
  | 'progress'
  | 'replica-created'
  | 'replica-started'
  | 'replica-replaced'
  | 'replica-removed'
  | 'replica-stopped'
  | 'replica-exited'
  | 'replica-signalled'
  | 'replica-unhealthy'
  | 'backoff'
  | 'gave-up'
  | 'waiting'
  | 'scaled'
  | 'rollout'
  | 'config-error'
  | 'operation-failed'
  /** A post_start or pre_stop hook ran: its exit status and output. */
  | 'hook'
  /** A request that changes something (any method but GET), with its caller. */
  | 'request'
  /** Following an image tag: a new digest available, pulled and rolling out, updated, rolled back, a failed check. */
  | 'image'
  | 'engine';

export interface ScaleRequest {
  replicas: number;
}

/** `composed watch` sync: files written into every running replica, paths removed from them. */
export interface SyncRequest {
  files: Array<{ path: string; content: string; mode: number }>;
  remove: string[];
}

export interface SyncResponse {
  /** The replicas the files went to. */
  replicas: string[];
}

export interface DownRequest {
  removeVolumes: boolean;
  /** Overrides every service's stop_grace_period (seconds). */
  timeoutSeconds?: number;
}

/** Default control socket: /run/composed as root, else under XDG_RUNTIME_DIR (or /tmp/composed-<uid>). */
export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COMPOSED_SOCKET) return env.COMPOSED_SOCKET;
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return '/run/composed/composed.sock';
  return `${env.XDG_RUNTIME_DIR ?? `/tmp/composed-${uid}`}/composed/composed.sock`;
}

/** Default state dir: /var/lib/composed as root, else under XDG_STATE_HOME (or ~/.local/state). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COMPOSED_STATE_DIR) return env.COMPOSED_STATE_DIR;
  if ((process.getuid?.() ?? 0) === 0) return '/var/lib/composed';
  return `${env.XDG_STATE_HOME ?? `${env.HOME ?? '/tmp'}/.local/state`}/composed`;
}
