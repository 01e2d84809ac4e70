// Replicas, resources, restart policy, update config and the x-composed extension: everything the
// supervisor decides with, folded from restart / deploy / scale / cpus / mem_limit / x-composed.
import { warnIgnored, type NormalizeContext } from './context.js';
import { DEPLOY_KEYS, IGNORED_DEPLOY_KEYS } from './keys.js';
import type { Autoscale, Canary, ComposedExtension, ResourceSet, Resources, RestartPolicy, UpdateConfig, UpdatePolicy } from './model.js';
import { readUpdatePolicy } from './update-policy.js';
import { bool, bytes, durationMs, fieldsOf, int, items, num, oneOf, str, type Field, type Fields } from './read.js';
import { parseCpus } from './units.js';
import { kindName } from './tree.js';

export const DEFAULT_RESTART_DELAY_MS = 100;
export const DEFAULT_RESTART_WINDOW_MS = 10_000;
export const DEFAULT_RESTART_MAX_DELAY_MS = 60_000;

export interface DeployResult {
  replicas: number;
  resources: Resources;
  restart: RestartPolicy;
  updateConfig: UpdateConfig;
  composed: ComposedExtension;
}

export function normalizeDeploy(ctx: NormalizeContext, fields: Fields, composed: Field | undefined): DeployResult {
  const deploy = fields.deploy ? fieldsOf(fields.deploy, ctx.d, [...DEPLOY_KEYS, ...Object.keys(IGNORED_DEPLOY_KEYS)]) : undefined;
  if (deploy) warnIgnored(ctx, deploy, IGNORED_DEPLOY_KEYS);
  const mode = deploy?.mode ? oneOf(deploy.mode, ctx.d, ['replicated', 'global', 'replicated-job', 'global-job'] as const) : 'replicated';
  if (mode === 'replicated-job' || mode === 'global-job') ctx.d.error(deploy!.mode!.node.pos, deploy!.mode!.path, `deploy mode "${mode}" is not supported by composed (use replicated, or restart: "no" for a one-off task)`);
  const ext = readComposed(ctx, composed);
  const { replicas, replicasField } = readReplicas(ctx, fields, deploy, ext.autoscale);
  if (mode === 'global') {
    // One container per node is one container on the single host composed runs on.
    if (replicasField || ext.autoscale) ctx.d.error(deploy!.mode!.node.pos, deploy!.mode!.path, 'deploy mode global runs exactly one replica; remove replicas, scale and autoscale');
    else ctx.d.warn(deploy!.mode!.node.pos, deploy!.mode!.path, 'deploy mode global runs one replica on this single host');
  }
  const a = ext.autoscale;
  if (a && replicasField && (replicas < a.min || replicas > a.max)) {
    ctx.d.error(replicasField.node.pos, replicasField.path, `${replicas} replicas is outside the autoscale bounds [${a.min}, ${a.max}]`);
  }
  const restart: RestartPolicy = { ...readRestart(ctx, fields, deploy), maxDelayMs: ext.maxDelayMs };
  return {
    replicas,
    resources: readResources(ctx, fields, deploy),
    restart,
    updateConfig: readUpdateConfig(ctx, deploy?.update_config),
    composed: {
      ...(a ? { autoscale: a } : {}),
      // A service that is never restarted has nothing to replace an unhealthy replica with.
      onUnhealthy: ext.onUnhealthy ?? (restart.condition === 'none' ? 'ignore' : 'replace'),
      balance: ext.balance,
      ...(ext.canary ? { canary: ext.canary } : {}),
      ...(ext.update ? { update: ext.update } : {}),
    },
  };
}

function readReplicas(ctx: NormalizeContext, fields: Fields, deploy: Fields | undefined, autoscale: Autoscale | undefined): { replicas: number; replicasField?: Field } {
  const fromDeploy = deploy?.replicas ? int(deploy.replicas, ctx.d, { min: 0 }) : undefined;
  const fromScale = fields.scale ? int(fields.scale, ctx.d, { min: 0 }) : undefined;
  if (fromDeploy !== undefined && fromScale !== undefined && fromDeploy !== fromScale) {
    ctx.d.error(fields.scale!.node.pos, fields.scale!.path, `scale (${fromScale}) and deploy.replicas (${fromDeploy}) disagree; set one of them`);
  }
  const replicasField = deploy?.replicas && fromDeploy !== undefined ? deploy.replicas : fields.scale && fromScale !== undefined ? fields.scale : undefined;
  const replicas = fromDeploy ?? fromScale ?? autoscale?.min ?? 1;
  return { replicas, ...(replicasField ? { replicasField } : {}) };
}

function readResources(ctx: NormalizeContext, fields: Fields, deploy: Fields | undefined): Resources {
  const res = deploy?.resources ? fieldsOf(deploy.resources, ctx.d, ['limits', 'reservations']) : undefined;
  const limits = res?.limits ? readResourceSet(ctx, res.limits) : {};
  const reservations = res?.reservations ? readResourceSet(ctx, res.reservations) : {};
  // The service-level shorthands must agree with deploy.resources when both are set.
  const shorthand = (key: string, into: ResourceSet, prop: keyof ResourceSet, read: (f: Field) => number | undefined, deployName: string): void => {
    const f = fields[key];
    if (!f) return;
    const v = read(f);
    if (v === undefined) return;
    if (into[prop] !== undefined && into[prop] !== v) {
      ctx.d.error(f.node.pos, f.path, `${key} (${v}) and deploy.resources.${deployName} (${into[prop]}) disagree; set one of them`);
      return;
    }
    into[prop] = v;
  };
  shorthand('cpus', limits, 'cpus', (f) => cpus(ctx, f), 'limits.cpus');
  shorthand('mem_limit', limits, 'memoryBytes', (f) => bytes(f, ctx.d), 'limits.memory');
  shorthand('pids_limit', limits, 'pids', (f) => int(f, ctx.d, { min: -1 }), 'limits.pids');
  shorthand('mem_reservation', reservations, 'memoryBytes', (f) => bytes(f, ctx.d), 'reservations.memory');
  return { limits, reservations };
}

function readResourceSet(ctx: NormalizeContext, f: Field): ResourceSet {
  const fields = fieldsOf(f, ctx.d, ['cpus', 'devices', 'generic_resources', 'memory', 'pids']);
  if (!fields) return {};
  warnIgnored(ctx, fields, { devices: 'device requests are not applied', generic_resources: 'generic resources are a swarm feature' });
  const out: ResourceSet = {};
  if (fields.cpus) {
    const v = cpus(ctx, fields.cpus);
    if (v !== undefined) out.cpus = v;
  }
  if (fields.memory) {
    const v = bytes(fields.memory, ctx.d);
    if (v !== undefined) out.memoryBytes = v;
  }
  if (fields.pids) {
    const v = int(fields.pids, ctx.d, { min: -1 });
    if (v !== undefined) out.pids = v;
  }
  return out;
}

function cpus(ctx: NormalizeContext, f: Field): number | undefined {
  const n = f.node;
  const v = n.kind === 'scalar' && (typeof n.value === 'string' || typeof n.value === 'number') ? parseCpus(n.value) : undefined;
  if (v === undefined) ctx.d.error(n.pos, f.path, `${kindName(n)} is not a CPU count (expected a number such as 0.5 or "2")`);
  return v;
}

type RestartBase = Omit<RestartPolicy, 'maxDelayMs'>;

function readRestart(ctx: NormalizeContext, fields: Fields, deploy: Fields | undefined): RestartBase {
  const base: RestartBase = { condition: 'none', unlessStopped: false, delayMs: DEFAULT_RESTART_DELAY_MS, windowMs: DEFAULT_RESTART_WINDOW_MS };
  const fromRestart = fields.restart ? readRestartString(ctx, fields.restart) : undefined;
  const policy = deploy?.restart_policy ? fieldsOf(deploy.restart_policy, ctx.d, ['condition', 'delay', 'max_attempts', 'window']) : undefined;
  if (!policy) return { ...base, ...fromRestart };
  if (fields.restart) {
    ctx.d.warn(fields.restart.keyPos, fields.restart.path, 'restart is overridden by deploy.restart_policy');
  }
  const out: RestartBase = { ...base, condition: 'any' };
  if (policy.condition) {
    const c = oneOf(policy.condition, ctx.d, ['none', 'on-failure', 'any'] as const);
    if (c) out.condition = c;
  }
  if (policy.delay) out.delayMs = durationMs(policy.delay, ctx.d) ?? out.delayMs;
  if (policy.window) out.windowMs = durationMs(policy.window, ctx.d) ?? out.windowMs;
  if (policy.max_attempts) {
    const n = int(policy.max_attempts, ctx.d, { min: 0 });
    // Swarm reads max_attempts 0 as "no limit".
    if (n !== undefined && n > 0) out.maxAttempts = n;
  }
  return out;
}

function readRestartString(ctx: NormalizeContext, f: Field): Partial<RestartBase> | undefined {
  const v = str(f, ctx.d);
  if (v === undefined) return undefined;
  if (v === 'no') return { condition: 'none' };
  if (v === 'always') return { condition: 'any' };
  if (v === 'unless-stopped') return { condition: 'any', unlessStopped: true };
  const m = /^on-failure(?::(\d+))?$/.exec(v);
  if (m) return { condition: 'on-failure', ...(m[1] !== undefined && Number(m[1]) > 0 ? { maxAttempts: Number(m[1]) } : {}) };
  ctx.d.error(f.node.pos, f.path, `${JSON.stringify(v)} is not a restart policy (expected "no", always, on-failure[:N] or unless-stopped)`);
  return undefined;
}

function readUpdateConfig(ctx: NormalizeContext, f: Field | undefined): UpdateConfig {
  const out: UpdateConfig = { parallelism: 1, delayMs: 0, failureAction: 'rollback', monitorMs: 5000 };
  if (!f) return out;
  const fields = fieldsOf(f, ctx.d, ['delay', 'failure_action', 'max_failure_ratio', 'monitor', 'order', 'parallelism']);
  if (!fields) return out;
  if (fields.parallelism) {
    const n = int(fields.parallelism, ctx.d, { min: 0 });
    // Swarm reads parallelism 0 as "all at once".
    if (n !== undefined) out.parallelism = n === 0 ? Number.MAX_SAFE_INTEGER : n;
  }
  if (fields.delay) out.delayMs = durationMs(fields.delay, ctx.d) ?? out.delayMs;
  if (fields.monitor) out.monitorMs = durationMs(fields.monitor, ctx.d) ?? out.monitorMs;
  if (fields.failure_action) out.failureAction = oneOf(fields.failure_action, ctx.d, ['rollback', 'pause', 'continue'] as const) ?? out.failureAction;
  if (fields.order) {
    const order = oneOf(fields.order, ctx.d, ['start-first', 'stop-first'] as const);
    if (order) out.order = order;
  }
  if (fields.max_failure_ratio) {
    const r = num(fields.max_failure_ratio, ctx.d, { min: 0 });
    // Swarm tolerates that share of failed tasks before failure_action; composed acts at the first.
    if (r !== undefined && r > 0) ctx.d.warn(fields.max_failure_ratio.keyPos, fields.max_failure_ratio.path, 'not supported: the first new container that fails applies failure_action, as with max_failure_ratio 0');
  }
  return out;
}

interface ComposedRead {
  autoscale?: Autoscale;
  canary?: Canary;
  onUnhealthy?: 'replace' | 'ignore';
  balance: boolean;
  maxDelayMs: number;
  update?: UpdatePolicy;
}

function readComposed(ctx: NormalizeContext, f: Field | undefined): ComposedRead {
  const out: ComposedRead = { balance: true, maxDelayMs: DEFAULT_RESTART_MAX_DELAY_MS };
  if (!f) return out;
  const fields = fieldsOf(f, ctx.d, ['autoscale', 'balance', 'canary', 'on_unhealthy', 'restart_backoff', 'update']);
  if (!fields) return out;
  if (fields.update) {
    const update = readUpdatePolicy(fields.update, ctx.d);
    if (update) out.update = update;
  }
  if (fields.balance) out.balance = bool(fields.balance, ctx.d) ?? true;
  if (fields.on_unhealthy) {
    const v = oneOf(fields.on_unhealthy, ctx.d, ['replace', 'ignore'] as const);
    if (v) out.onUnhealthy = v;
  }
  if (fields.restart_backoff) {
    const backoff = fieldsOf(fields.restart_backoff, ctx.d, ['max']);
    if (backoff?.max) out.maxDelayMs = durationMs(backoff.max, ctx.d) ?? out.maxDelayMs;
  }
  if (fields.autoscale) {
    const a = readAutoscale(ctx, fields.autoscale);
    if (a) out.autoscale = a;
  }
  if (fields.canary) {
    const c = readCanary(ctx, fields.canary);
    if (c) out.canary = c;
  }
  return out;
}

const CANARY_ABORTS = ['errors', 'unhealthy'] as const;

function readCanary(ctx: NormalizeContext, f: Field): Canary | undefined {
  const fields = fieldsOf(f, ctx.d, ['abort_on', 'duration', 'weight']);
  if (!fields) return undefined;
  const weight = fields.weight ? num(fields.weight, ctx.d) : 10;
  if (weight !== undefined && (weight <= 0 || weight > 100)) {
    ctx.d.error(fields.weight!.node.pos, fields.weight!.path, `canary weight is a percent of new connections: more than 0 and at most 100, not ${weight}`);
    return undefined;
  }
  const duration = fields.duration ? durationMs(fields.duration, ctx.d) : 5 * 60_000;
  let abortOn: string[] = [...CANARY_ABORTS];
  if (fields.abort_on) {
    const list = items(fields.abort_on, ctx.d);
    if (!list) return undefined;
    abortOn = [];
    for (const item of list) {
      const v = oneOf(item, ctx.d, CANARY_ABORTS);
      if (!v) return undefined;
      abortOn.push(v);
    }
  }
  if (weight === undefined || duration === undefined) return undefined;
  return { weight, durationMs: duration, abortOnErrors: abortOn.includes('errors') };
}

const AUTOSCALE_KEYS = ['connections', 'cpu', 'interval', 'max', 'memory', 'min', 'requests', 'scale_down_stabilization', 'scale_up_stabilization'];

function readAutoscale(ctx: NormalizeContext, f: Field): Autoscale | undefined {
  const fields = fieldsOf(f, ctx.d, AUTOSCALE_KEYS);
  if (!fields) return undefined;
  let ok = true;
  const need = (key: string): Field | undefined => {
    const v = fields[key];
    if (!v) {
      ctx.d.error(f.node.pos, f.path, `autoscale needs ${key}`);
      ok = false;
    }
    return v;
  };
  const min = fields.min ? int(fields.min, ctx.d, { min: 0 }) : 1;
  const maxField = need('max');
  const max = maxField ? int(maxField, ctx.d, { min: 1 }) : undefined;
  if (min !== undefined && max !== undefined && min > max) {
    ctx.d.error(maxField!.node.pos, maxField!.path, `autoscale max (${max}) is below min (${min})`);
    ok = false;
  }
  const cpu = fields.cpu ? readCpuTarget(ctx, fields.cpu) : undefined;
  const memory = fields.memory ? readTarget(ctx, fields.memory, 'memory', 'percent of the memory limit per replica') : undefined;
  const connections = fields.connections ? readTarget(ctx, fields.connections, 'connections', 'open connections per replica') : undefined;
  const requests = fields.requests ? readTarget(ctx, fields.requests, 'requests', 'new connections per second per replica') : undefined;
  if (!fields.cpu && !fields.memory && !fields.connections && !fields.requests) {
    ctx.d.error(f.node.pos, f.path, 'autoscale needs a metric: cpu, memory, connections or requests');
    ok = false;
  }
  if ((fields.cpu && !cpu) || (fields.memory && !memory) || (fields.connections && !connections) || (fields.requests && !requests)) ok = false;
  const interval = fields.interval ? durationMs(fields.interval, ctx.d) : 5000;
  const up = fields.scale_up_stabilization ? durationMs(fields.scale_up_stabilization, ctx.d) : 0;
  const down = fields.scale_down_stabilization ? durationMs(fields.scale_down_stabilization, ctx.d) : 60_000;
  if (fields.interval && interval === 0) {
    ctx.d.error(fields.interval.node.pos, fields.interval.path, 'autoscale interval must be more than 0s');
    ok = false;
  }
  if (!ok || min === undefined || max === undefined || interval === undefined || up === undefined || down === undefined) return undefined;
  return {
    min,
    max,
    ...(cpu ? { cpu } : {}),
    ...(memory ? { memory } : {}),
    ...(connections ? { connections } : {}),
    ...(requests ? { requests } : {}),
    intervalMs: interval,
    scaleUpStabilizationMs: up,
    scaleDownStabilizationMs: down,
  };
}

/** `{target: N}` for the metrics that have nothing but a target. */
function readTarget(ctx: NormalizeContext, f: Field, metric: string, meaning: string): { target: number } | undefined {
  const fields = fieldsOf(f, ctx.d, ['target']);
  if (!fields) return undefined;
  if (!fields.target) {
    ctx.d.error(f.node.pos, f.path, `autoscale.${metric} needs a target (${meaning})`);
    return undefined;
  }
  const target = num(fields.target, ctx.d);
  if (target === undefined) return undefined;
  if (target <= 0) {
    ctx.d.error(fields.target.node.pos, fields.target.path, `${metric} target must be more than 0, not ${target}`);
    return undefined;
  }
  return { target };
}

function readCpuTarget(ctx: NormalizeContext, f: Field): Autoscale['cpu'] | undefined {
  const fields = fieldsOf(f, ctx.d, ['scale_down_below', 'scale_up_above', 'target']);
  if (!fields) return undefined;
  if (!fields.target) {
    ctx.d.error(f.node.pos, f.path, 'autoscale.cpu needs a target (percent of a CPU per replica)');
    return undefined;
  }
  const target = num(fields.target, ctx.d);
  const upAbove = fields.scale_up_above ? num(fields.scale_up_above, ctx.d) : undefined;
  const downBelow = fields.scale_down_below ? num(fields.scale_down_below, ctx.d) : undefined;
  if (target === undefined) return undefined;
  let ok = true;
  if (target <= 0) {
    ctx.d.error(fields.target.node.pos, fields.target.path, `cpu target must be more than 0 percent, not ${target}`);
    ok = false;
  }
  if (upAbove !== undefined && upAbove <= target) {
    ctx.d.error(fields.scale_up_above!.node.pos, fields.scale_up_above!.path, `scale_up_above (${upAbove}) must be above the target (${target})`);
    ok = false;
  }
  if (downBelow !== undefined && (downBelow >= target || downBelow < 0)) {
    ctx.d.error(fields.scale_down_below!.node.pos, fields.scale_down_below!.path, `scale_down_below (${downBelow}) must be between 0 and the target (${target})`);
    ok = false;
  }
  if (!ok) return undefined;
  return { target, ...(upAbove !== undefined ? { scaleUpAbove: upAbove } : {}), ...(downBelow !== undefined ? { scaleDownBelow: downBelow } : {}) };
}
