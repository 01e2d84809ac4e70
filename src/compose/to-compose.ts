// The normalized project written back as a compose file (what `composed config` prints): long
// syntax everywhere, absolute paths, durations as "1500ms", so docker compose and composed both load
// it to the same model. `$` is doubled, so nothing in the output is interpolated a second time.
import type { FileObject, Healthcheck, Network, PortMapping, Project, ResourceSet, RestartPolicy, Service, ServiceHook, ServiceNetwork, Volume, VolumeMount } from './model.js';

type Doc = Record<string, unknown>;

const DEFAULT_DELAY_MS = 100;
const DEFAULT_WINDOW_MS = 10_000;
const DEFAULT_MAX_DELAY_MS = 60_000;

export function projectToCompose(project: Project): Doc {
  const doc: Doc = {
    name: project.name,
    services: mapValues(project.services, serviceDoc),
    ...nonEmpty('networks', mapValues(project.networks, networkDoc)),
    ...nonEmpty('volumes', mapValues(project.volumes, volumeDoc)),
    ...nonEmpty('secrets', mapValues(project.secrets, fileObjectDoc)),
    ...nonEmpty('configs', mapValues(project.configs, fileObjectDoc)),
    ...project.extensions,
  };
  return escapeDollars(doc) as Doc;
}

function serviceDoc(s: Service): Doc {
  const composedExt = composedDoc(s);
  return defined({
    image: s.image,
    build: s.build && defined({ context: s.build.context, dockerfile: s.build.dockerfile, args: orUndefined(s.build.args), target: s.build.target, labels: orUndefined(s.build.labels), no_cache: s.build.noCache }),
    pull_policy: s.pullPolicy,
    command: s.command,
    entrypoint: s.entrypoint,
    environment: orUndefined(s.environment),
    ports: list(s.ports.map(portDoc)),
    expose: list(s.expose),
    volumes: list(s.volumes.map(volumeMountDoc)),
    networks: s.networkMode ? undefined : mapValues(s.networks, serviceNetworkDoc),
    network_mode: s.networkMode,
    depends_on: orUndefined(mapValues(s.dependsOn, (d) => ({ condition: d.condition, restart: d.restart, required: d.required }))),
    healthcheck: s.healthcheck && healthcheckDoc(s.healthcheck),
    ...restartDoc(s.restart),
    deploy: deployDoc(s),
    labels: orUndefined(s.labels),
    stop_signal: s.stopSignal,
    stop_grace_period: duration(s.stopGracePeriodMs),
    init: s.init,
    user: s.user,
    working_dir: s.workingDir,
    hostname: s.hostname,
    domainname: s.domainname,
    container_name: s.containerName,
    cap_add: list(s.capAdd),
    cap_drop: list(s.capDrop),
    read_only: s.readOnly || undefined,
    privileged: s.privileged || undefined,
    tty: s.tty || undefined,
    stdin_open: s.stdinOpen || undefined,
    tmpfs: list(s.tmpfs),
    ulimits: orUndefined(s.ulimits),
    extra_hosts: list(s.extraHosts),
    dns: list(s.dns),
    dns_search: list(s.dnsSearch),
    dns_opt: list(s.dnsOpt),
    sysctls: orUndefined(s.sysctls),
    security_opt: list(s.securityOpt),
    devices: list(s.devices),
    group_add: list(s.groupAdd),
    shm_size: s.shmSizeBytes,
    pid: s.pid,
    ipc: s.ipc,
    platform: s.platform,
    runtime: s.runtime,
    logging: s.logging && defined({ driver: s.logging.driver, options: orUndefined(s.logging.options) }),
    secrets: list(s.secrets.map((r) => defined({ ...r }))),
    configs: list(s.configs.map((r) => defined({ ...r }))),
    profiles: list(s.profiles),
    post_start: s.postStart?.map(hookDoc),
    pre_stop: s.preStop?.map(hookDoc),
    develop: s.develop && { watch: s.develop.watch.map((w) => defined({ path: w.path, action: w.action, target: w.target, ignore: list(w.ignore) })) },
    ...(composedExt ? { 'x-composed': composedExt } : {}),
    ...s.extensions,
  });
}

function hookDoc(h: ServiceHook): Doc {
  return defined({ command: h.command, user: h.user, privileged: h.privileged || undefined, working_dir: h.workingDir, environment: orUndefined(h.environment) });
}

function portDoc(p: PortMapping): Doc {
  return defined({ target: p.target, published: p.published, host_ip: p.hostIp, protocol: p.protocol, mode: p.mode, name: p.name, app_protocol: p.appProtocol });
}

function volumeMountDoc(v: VolumeMount): Doc {
  if (v.type === 'tmpfs') return defined({ type: 'tmpfs', target: v.target, tmpfs: orUndefined(defined({ size: v.sizeBytes, mode: v.mode })) });
  if (v.type === 'bind') {
    return defined({ type: 'bind', source: v.source, target: v.target, read_only: v.readOnly, bind: defined({ create_host_path: v.createHostPath, propagation: v.propagation, selinux: v.selinux }) });
  }
  return defined({ type: 'volume', source: v.source, target: v.target, read_only: v.readOnly, volume: defined({ nocopy: v.nocopy, subpath: v.subpath }) });
}

function serviceNetworkDoc(n: ServiceNetwork): Doc {
  return defined({ aliases: list(n.aliases), ipv4_address: n.ipv4Address, ipv6_address: n.ipv6Address, priority: n.priority || undefined });
}

function healthcheckDoc(h: Healthcheck): Doc {
  if (h.test[0] === 'NONE') return { disable: true };
  return defined({
    test: h.test.length ? h.test : undefined,
    interval: duration(h.intervalMs),
    timeout: duration(h.timeoutMs),
    retries: h.retries,
    start_period: duration(h.startPeriodMs),
    start_interval: duration(h.startIntervalMs),
  });
}

/** `restart:` when it says everything (default delay and window), else deploy.restart_policy. */
function restartDoc(r: RestartPolicy): Doc {
  if (r.unlessStopped) return { restart: 'unless-stopped' };
  if (r.delayMs === DEFAULT_DELAY_MS && r.windowMs === DEFAULT_WINDOW_MS) {
    if (r.condition === 'none') return { restart: 'no' };
    if (r.condition === 'any' && r.maxAttempts === undefined) return { restart: 'always' };
    if (r.condition === 'on-failure') return { restart: r.maxAttempts ? `on-failure:${r.maxAttempts}` : 'on-failure' };
  }
  return {};
}

function restartPolicyDoc(r: RestartPolicy): Doc | undefined {
  if (Object.keys(restartDoc(r)).length) return undefined;
  return defined({ condition: r.condition, delay: duration(r.delayMs), window: duration(r.windowMs), max_attempts: r.maxAttempts });
}

function deployDoc(s: Service): Doc | undefined {
  const u = s.updateConfig;
  return orUndefined(
    defined({
      replicas: s.replicas,
      resources: orUndefined(defined({ limits: resourceSetDoc(s.resources.limits), reservations: resourceSetDoc(s.resources.reservations) })),
      restart_policy: restartPolicyDoc(s.restart),
      update_config: defined({ parallelism: u.parallelism, delay: duration(u.delayMs), order: u.order, failure_action: u.failureAction, monitor: duration(u.monitorMs) }),
    }),
  );
}

function resourceSetDoc(r: ResourceSet): Doc | undefined {
  return orUndefined(defined({ cpus: r.cpus, memory: r.memoryBytes, pids: r.pids }));
}

function composedDoc(s: Service): Doc | undefined {
  const defaultOnUnhealthy = s.restart.condition === 'none' ? 'ignore' : 'replace';
  const a = s.composed.autoscale;
  const u = s.composed.update;
  return orUndefined(
    defined({
      autoscale: a && defined({
        min: a.min,
        max: a.max,
        cpu: a.cpu && defined({ target: a.cpu.target, scale_up_above: a.cpu.scaleUpAbove, scale_down_below: a.cpu.scaleDownBelow }),
        memory: a.memory,
        connections: a.connections,
        requests: a.requests,
        interval: duration(a.intervalMs),
        scale_up_stabilization: duration(a.scaleUpStabilizationMs),
        scale_down_stabilization: duration(a.scaleDownStabilizationMs),
      }),
      on_unhealthy: s.composed.onUnhealthy === defaultOnUnhealthy ? undefined : s.composed.onUnhealthy,
      balance: s.composed.balance ? undefined : false,
      canary: s.composed.canary && {
        weight: s.composed.canary.weight,
        duration: duration(s.composed.canary.durationMs),
        abort_on: s.composed.canary.abortOnErrors ? ['errors', 'unhealthy'] : ['unhealthy'],
      },
      restart_backoff: s.restart.maxDelayMs === DEFAULT_MAX_DELAY_MS ? undefined : { max: duration(s.restart.maxDelayMs) },
      update: u && defined({ policy: u.policy, interval: duration(u.intervalMs), schedule: u.schedule && `${clock(u.schedule.fromMinute)}-${clock(u.schedule.toMinute)}` }),
    }),
  );
}

/** Minutes of the day as the HH:MM `schedule` is written. */
function clock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

function networkDoc(n: Network): Doc {
  if (n.external) return { name: n.name, external: true };
  return defined({
    name: n.name,
    driver: n.driver,
    driver_opts: orUndefined(n.driverOpts),
    internal: n.internal || undefined,
    attachable: n.attachable || undefined,
    enable_ipv6: n.enableIpv6 || undefined,
    ipam: n.ipam && defined({ driver: n.ipam.driver, config: n.ipam.config.map((c) => defined({ subnet: c.subnet, gateway: c.gateway, ip_range: c.ipRange })) }),
    labels: orUndefined(n.labels),
  });
}

function volumeDoc(v: Volume): Doc {
  if (v.external) return { name: v.name, external: true };
  return defined({ name: v.name, driver: v.driver, driver_opts: orUndefined(v.driverOpts), labels: orUndefined(v.labels), ...v.extensions });
}

function fileObjectDoc(f: FileObject): Doc {
  if (f.external) return { name: f.name, external: true };
  return defined({ name: f.name, file: f.file, environment: f.environment, content: f.content });
}

/** Milliseconds as a compose duration: "1h30m", "2s", "1500ms". */
export function duration(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

function escapeDollars(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$/g, '$$$$');
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDollars(v)]));
  return value;
}

function mapValues<T, U>(record: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

function defined(o: Doc): Doc {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function list<T>(items: T[]): T[] | undefined {
  return items.length ? items : undefined;
}

function orUndefined<T extends object>(o: T | undefined): T | undefined {
  return o && Object.keys(o).length ? o : undefined;
}

function nonEmpty(key: string, o: Record<string, unknown>): Doc {
  return Object.keys(o).length ? { [key]: o } : {};
}
