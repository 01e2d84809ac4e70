// The container engine as the daemon sees it, in our own types. `docker/` implements it with
// dockerode; nothing else in the daemon knows dockerode exists.
import type { Network, Project, Service, ServiceHook, Volume } from '../../compose/model.js';
import type { LayerProgress } from '../../protocol/api.js';
import type { InteractiveSession, OneOffRequest, ProcessOptions, ProcessTable, PsEntry, LogEntry, LogQuery, ResourceUsage, TerminalSize } from './interactive.js';

export type ContainerState =
  | 'created'
  | 'running'
  | 'paused'
  | 'restarting'
  | 'removing'
  | 'exited'
  | 'dead';

export type HealthState = 'none' | 'starting' | 'healthy' | 'unhealthy';

export interface ContainerSummary {
  id: string;
  /** Without the engine's leading slash. */
  name: string;
  labels: Record<string, string>;
  state: ContainerState;
  health: HealthState;
  imageId: string;
  /** Epoch ms. */
  createdAt: number;
  /** IPv4 address per engine network the container is attached to (empty when not running). */
  addresses: Record<string, string>;
}

export interface ContainerDetails extends ContainerSummary {
  exitCode: number;
  oomKilled: boolean;
  /** Epoch ms; 0 when never started / not finished. */
  startedAt: number;
  finishedAt: number;
  /** Last health probe outputs, oldest first. */
  healthLog: Array<{ exitCode: number; output: string; end: number }>;
  mounts: Array<{ type: string; name?: string; source: string; destination: string }>;
}

/** Identity of the replica a container is created for. */
export interface ReplicaRequest {
  project: Project;
  service: Service;
  /** 1-based replica number (com.docker.compose.container-number). */
  number: number;
  /** Container name to create (normally `<project>-<service>-<n>`; a temporary one during roll-outs). */
  name: string;
  configHash: string;
}

export interface StopOptions {
  /** Seconds before SIGKILL. */
  timeoutSeconds: number;
  signal?: string;
}

export type RuntimeEvent =
  | { kind: 'container'; action: ContainerAction; id: string; name: string; labels: Record<string, string>; time: number; exitCode?: number; health?: HealthState }
  | { kind: 'connected' }
  | { kind: 'disconnected'; error: string };

export type ContainerAction = 'create' | 'start' | 'die' | 'oom' | 'stop' | 'kill' | 'destroy' | 'health_status' | 'pause' | 'unpause' | 'rename';

export interface CpuSample {
  /** Cumulative CPU time of the container in nanoseconds. */
  cpuNanos: number;
  /** Monotonic-ish wall clock of the sample, nanoseconds. */
  atNanos: number;
}

/** A line to show, or with `layer` a layer's new state (its message the same as a plain line). */
export type PullProgress = (message: string, layer?: LayerProgress) => void;

/** What a lifecycle hook did: its exit code and its output (stdout and stderr, interleaved). */
export interface HookResult {
  exitCode: number;
  output: string;
}

/** What supervising needs of the engine: the controller, lifecycle and status use only this. */
export interface SupervisionRuntime {
  ping(): Promise<void>;
  listContainers(labels: Record<string, string>, opts?: { all?: boolean }): Promise<ContainerSummary[]>;
  inspectContainer(id: string): Promise<ContainerDetails | undefined>;
  /** Creates (not starts) a replica container; returns its id. Anonymous volumes are the replica's own labelled volumes, reused when they exist. */
  createReplica(req: ReplicaRequest): Promise<string>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, opts: StopOptions): Promise<void>;
  /** Removes a container; its anonymous volumes are kept (they belong to the replica, not the container). */
  removeContainer(id: string, opts?: { force?: boolean }): Promise<void>;
  renameContainer(id: string, name: string): Promise<void>;
  logsTail(id: string, lines: number): Promise<string[]>;
  /** Runs a post_start / pre_stop hook in a running container and waits for it; the signal stops the waiting. */
  runHook(id: string, hook: ServiceHook, signal: AbortSignal): Promise<HookResult>;
  followLogs(id: string, opts: { tail?: number; signal: AbortSignal }): AsyncIterable<string>;
  cpuSample(id: string): Promise<CpuSample | undefined>;
  /** Memory in use without the page cache, as `docker stats` counts it; undefined when not running. */
  memoryBytes(id: string): Promise<number | undefined>;
  /** Ensures the image for a service is present per its pull policy (pull or build). */
  ensureImage(project: Project, service: Service, progress: PullProgress): Promise<void>;
  imageId(ref: string): Promise<string | undefined>;
  ensureNetwork(project: Project, key: string, network: Network): Promise<void>;
  /** Returns why the network was left in place (still in use, or so the engine says), if it was. */
  removeNetwork(project: Project, key: string, network: Network): Promise<string | undefined>;
  ensureVolume(project: Project, key: string, volume: Volume): Promise<void>;
  /** Removes the project's named volumes (not external ones) and every replica's anonymous volumes. */
  removeProjectVolumes(project: Project): Promise<void>;
  /** The engine's event stream, reconnecting with backoff until the signal aborts. */
  events(signal: AbortSignal): AsyncIterable<RuntimeEvent>;
  /** True when the engine runs none of the service's health probes and the daemon runs them itself. */
  daemonProbesHealth?(project: string, service: string): boolean;
  /** Which engine this is and the API it speaks. */
  engineInfo?(): Promise<EngineInfo>;
}

/** The whole engine port: supervision, and the operator's verbs the API serves (exec, run, kill, ps...). */
export interface ContainerRuntime extends SupervisionRuntime {
  /** Runs a command in a running container, attached (`composed exec`). */
  execSession(containerId: string, opts: ProcessOptions): Promise<InteractiveSession>;
  /** Runs a command in a running container and returns at once (`composed exec -d`). */
  execDetached(containerId: string, opts: ProcessOptions): Promise<void>;
  /** Creates a one-off container (`composed run`), never a replica; returns its id. */
  createOneOff(req: OneOffRequest): Promise<string>;
  /** Attaches to a created one-off, starts it, and hands back the session; its exit code is the container's. */
  startAttached(containerId: string, opts: { interactive: boolean; tty: boolean; removeAfter: boolean; size?: TerminalSize }): Promise<InteractiveSession>;
  killContainer(id: string, signal: string): Promise<void>;
  /** Stops and starts a container in place, its filesystem kept (`composed watch` sync+restart). */
  restartInPlace(id: string, opts: StopOptions): Promise<void>;
  /** Writes files into a running container (`composed watch` sync), parents created, owned by root. */
  putFiles(id: string, files: ReadonlyArray<{ path: string; content: Buffer; mode: number }>): Promise<void>;
  pauseContainer(id: string): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  topContainer(id: string): Promise<ProcessTable>;
  /** One sample of CPU and memory, as `docker stats --no-stream` shows it. */
  resourceUsage(id: string): Promise<ResourceUsage>;
  /** Containers with what `ps` shows (command, status text, ports), one-offs included. */
  psEntries(labels: Record<string, string>): Promise<PsEntry[]>;
  /** Log lines with the engine's timestamps, for ordering several containers' output in time. */
  logEntries(id: string, query: LogQuery): AsyncIterable<LogEntry>;
}

export interface EngineInfo {
  /** `docker`, `podman`, or the engine's own component name when it is neither. */
  name: string;
  version: string;
  apiVersion: string;
  /** Where the daemon reaches it (unix socket path, tcp or ssh URL) and how that was chosen. */
  address: string;
  source: string;
}

/**
 * How a failed runtime call should be treated: not-found -> drop, conflict -> re-observe and retry,
 * transient (engine unreachable, 5xx) -> requeue with backoff, terminal -> report, stop retrying.
 */
export type RuntimeErrorKind = 'not-found' | 'conflict' | 'transient' | 'terminal';

/** Every ContainerRuntime method fails with this (the adapter classifies engine errors). */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';

  constructor(
    readonly kind: RuntimeErrorKind,
    message: string,
    options?: {
      cause?: unknown;
      /** The engine's HTTP status, when it answered at all. */
      statusCode?: number;
      /** The socket error code (ECONNREFUSED, ENOENT, ...) when the engine could not be reached. */
      code?: string;
    },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = options?.statusCode;
    this.code = options?.code;
  }

  readonly statusCode: number | undefined;
  readonly code: string | undefined;
}

/** The engine received the call and refused it (as opposed to not being reachable at all). */
export function answeredByEngine(error: unknown): boolean {
  return error instanceof RuntimeError && error.statusCode !== undefined;
}
