// The normalized compose model. Everything past the loader sees only these types: short syntax,
// interpolation, merging and defaults are resolved before a Project exists.
// Durations are milliseconds, sizes are bytes, paths are absolute, maps are sorted by key.

export interface Project {
  name: string;
  /** Absolute directory that relative paths were resolved against (the first file's directory). */
  workingDir: string;
  /** Absolute paths of the compose files, in merge order. */
  configFiles: string[];
  /** Absolute paths of every other file whose content shaped the model (.env, env_file, secrets). */
  dependencyFiles: string[];
  /** Profiles that were active when the project was loaded. */
  profiles: string[];
  services: Record<string, Service>;
  /** Services left out because none of their profiles is active (kept so `config` can mention them). */
  disabledServices: string[];
  networks: Record<string, Network>;
  volumes: Record<string, Volume>;
  secrets: Record<string, FileObject>;
  configs: Record<string, FileObject>;
  /** Top-level `x-*` keys, verbatim. */
  extensions: Record<string, unknown>;
  /** Top-level `x-composed.notify`: notification targets (compose/notify-target.ts), absent when none. */
  notify?: string[];
  /** Top-level `x-composed.update`: the default for services that set none (compose/update-policy.ts). */
  update?: UpdatePolicy;
}

export interface Service {
  name: string;
  /** Image reference. A service with only `build:` gets `<project>-<service>` as docker compose does. */
  image: string;
  build?: BuildSpec;
  pullPolicy: PullPolicy;
  /** Undefined means "the image's own". */
  command?: string[];
  entrypoint?: string[];
  /** Final environment after env_file + environment; `null` means "name only, value from the host" was unresolvable. */
  environment: Record<string, string | null>;
  ports: PortMapping[];
  expose: string[];
  volumes: VolumeMount[];
  /** Service networks by top-level network key. Empty when networkMode is set. */
  networks: Record<string, ServiceNetwork>;
  networkMode?: string;
  dependsOn: Record<string, DependsOn>;
  healthcheck?: Healthcheck;
  restart: RestartPolicy;
  /** Starting replica count (deploy.replicas or scale, default 1). */
  replicas: number;
  resources: Resources;
  updateConfig: UpdateConfig;
  labels: Record<string, string>;
  stopSignal?: string;
  stopGracePeriodMs: number;
  init?: boolean;
  user?: string;
  workingDir?: string;
  hostname?: string;
  domainname?: string;
  containerName?: string;
  capAdd: string[];
  capDrop: string[];
  readOnly: boolean;
  privileged: boolean;
  tty: boolean;
  stdinOpen: boolean;
  tmpfs: string[];
  ulimits: Record<string, { soft: number; hard: number }>;
  extraHosts: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOpt: string[];
  sysctls: Record<string, string>;
  securityOpt: string[];
  devices: string[];
  groupAdd: string[];
  shmSizeBytes?: number;
  pid?: string;
  ipc?: string;
  platform?: string;
  runtime?: string;
  logging?: { driver?: string; options: Record<string, string> };
  secrets: FileReference[];
  configs: FileReference[];
  profiles: string[];
  /** Commands run in each new container once it started (`post_start`); absent when none. */
  postStart?: ServiceHook[];
  /** Commands run in a container before it is stopped (`pre_stop`); absent when none. */
  preStop?: ServiceHook[];
  /** `develop.watch`, for `composed watch`. */
  develop?: Develop;
  composed: ComposedExtension;
  /** Service-level `x-*` keys other than x-composed, verbatim. */
  extensions: Record<string, unknown>;
}

/** A lifecycle hook: a command run in the container through exec. */
export interface ServiceHook {
  command: string[];
  user?: string;
  privileged: boolean;
  /** Absolute path in the container. */
  workingDir?: string;
  environment: Record<string, string>;
}

export interface Develop {
  watch: WatchRule[];
}

export type WatchAction = 'sync' | 'rebuild' | 'restart' | 'sync+restart';

export interface WatchRule {
  /** Absolute host path (a file or a directory). */
  path: string;
  action: WatchAction;
  /** Absolute path in the container the synced files go to (sync actions). */
  target?: string;
  /** Patterns relative to path, as in .dockerignore. */
  ignore: string[];
}

export type PullPolicy = 'missing' | 'always' | 'never' | 'build';

export interface BuildSpec {
  /** Absolute path of the build context. */
  context: string;
  /** Dockerfile path relative to the context, as the engine expects it. */
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
  labels: Record<string, string>;
  /** `no_cache` / `build --no-cache`: every step runs again. */
  noCache?: boolean;
}

export interface PortMapping {
  /** Container port. Ranges are expanded to one mapping per port. */
  target: number;
  /** Host port or port range as written ("8080", "8000-8010"); undefined means an ephemeral port. */
  published?: string;
  hostIp?: string;
  protocol: 'tcp' | 'udp' | 'sctp';
  mode: 'ingress' | 'host';
  name?: string;
  appProtocol?: string;
}

export type VolumeMount =
  | {
      type: 'volume';
      /** Top-level volume key for a named volume; undefined for an anonymous volume. */
      source?: string;
      target: string;
      readOnly: boolean;
      nocopy: boolean;
      subpath?: string;
    }
  | {
      type: 'bind';
      /** Absolute host path. */
      source: string;
      target: string;
      readOnly: boolean;
      createHostPath: boolean;
      propagation?: string;
      selinux?: 'z' | 'Z';
    }
  | { type: 'tmpfs'; target: string; sizeBytes?: number; mode?: number };

export interface ServiceNetwork {
  aliases: string[];
  ipv4Address?: string;
  ipv6Address?: string;
  priority: number;
}

export type DependsOnCondition =
  | 'service_started'
  | 'service_healthy'
  | 'service_completed_successfully';

export interface DependsOn {
  condition: DependsOnCondition;
  /** Replace this service when the dependency is replaced. */
  restart: boolean;
  /** When false, a dependency that is missing or disabled is tolerated. */
  required: boolean;
}

export interface Healthcheck {
  /**
   * ["NONE"] disables an image's own healthcheck; otherwise ["CMD", ...] or ["CMD-SHELL", cmd].
   * [] keeps the image's own test (a healthcheck block that only changes timings).
   */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
  startIntervalMs?: number;
}

/** restart / deploy.restart_policy / x-composed.restart_backoff folded into one policy. */
export interface RestartPolicy {
  /** none: never replace; on-failure: non-zero exit, OOM, unhealthy; any: every exit. */
  condition: 'none' | 'on-failure' | 'any';
  /** `unless-stopped`: like any, except replicas a user stopped. */
  unlessStopped: boolean;
  /** Undefined means unlimited. */
  maxAttempts?: number;
  /** First backoff delay (default 100 ms), doubled per consecutive failure. */
  delayMs: number;
  /** Backoff cap (x-composed.restart_backoff.max, default 60 s). */
  maxDelayMs: number;
  /** A replica that ran longer than this resets its failure count (default 10 s). */
  windowMs: number;
}

export interface Resources {
  limits: ResourceSet;
  reservations: ResourceSet;
}

export interface ResourceSet {
  cpus?: number;
  memoryBytes?: number;
  pids?: number;
}

export interface UpdateConfig {
  parallelism: number;
  delayMs: number;
  /** Undefined means "decide from ports": start-first unless a fixed host port is published. */
  order?: 'start-first' | 'stop-first';
  failureAction: 'rollback' | 'pause' | 'continue';
  monitorMs: number;
}

/** The `x-composed` service extension. */
export interface ComposedExtension {
  autoscale?: Autoscale;
  /** What a replica turning unhealthy does (default: replace unless the restart policy is none). */
  onUnhealthy: 'replace' | 'ignore';
  /** Built-in balancer for multi-replica services publishing a fixed port (default true). */
  balance: boolean;
  /** A roll-out starts with one new replica taking a share of new connections for a while. */
  canary?: Canary;
  /** `x-composed.update`: following the image tag; absent means the project's default. */
  update?: UpdatePolicy;
}

export interface Canary {
  /** Percent of new connections through the balancer the canary receives. */
  weight: number;
  durationMs: number;
  /** Connections the canary refused or reset fail it (exits and unhealthy always do). */
  abortOnErrors: boolean;
}

/** Whether and how often the daemon asks the registry where the service's image tag points. */
export interface UpdatePolicy {
  /** auto: pull and roll out a new digest; notify: tell and show it; off: never ask. */
  policy: 'auto' | 'notify' | 'off';
  intervalMs: number;
  /** Checks run only between these minutes of the UTC day (the window may wrap midnight). */
  schedule?: { fromMinute: number; toMinute: number };
}

export interface Autoscale {
  /** 0 only for a balanced service: the balancer holds the first connection while a replica starts. */
  min: number;
  max: number;
  /** At least one metric is set; with several, the highest recommendation wins (as in HPA). */
  cpu?: { target: number; scaleUpAbove?: number; scaleDownBelow?: number };
  /** Percent of the service's memory limit per replica. */
  memory?: { target: number };
  /** Open connections per ready replica through the built-in balancer. */
  connections?: { target: number };
  /** New connections per second per ready replica through the built-in balancer. */
  requests?: { target: number };
  intervalMs: number;
  scaleUpStabilizationMs: number;
  scaleDownStabilizationMs: number;
}

export interface Network {
  /** Engine name: `<project>_<key>` unless `name:` or external. */
  name: string;
  external: boolean;
  driver?: string;
  driverOpts: Record<string, string>;
  internal: boolean;
  attachable: boolean;
  enableIpv6: boolean;
  ipam?: { driver?: string; config: Array<{ subnet?: string; gateway?: string; ipRange?: string }> };
  labels: Record<string, string>;
}

export interface Volume {
  /** Engine name: `<project>_<key>` unless `name:` or external. */
  name: string;
  external: boolean;
  driver?: string;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
  /** The volume's `x-*` keys, verbatim (e.g. `x-composed.volume_size` for the Kubernetes export). */
  extensions: Record<string, unknown>;
}

/** A top-level secret or config. */
export interface FileObject {
  name: string;
  external: boolean;
  /** Absolute path of the file (file-based objects). */
  file?: string;
  /** Name of the environment variable holding the content. */
  environment?: string;
  /** Inline content (configs only). */
  content?: string;
}

/** A service's reference to a secret or config, long form. */
export interface FileReference {
  source: string;
  target: string;
  uid?: string;
  gid?: string;
  mode?: number;
}
