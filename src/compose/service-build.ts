// services.*.build, healthcheck, logging, ulimits, extra_hosts and devices: the self-contained blocks.
import { resolveHostPath, warnIgnored, type NormalizeContext } from './context.js';
import { BUILD_KEYS, IGNORED_BUILD_KEYS } from './keys.js';
import type { BuildSpec, Healthcheck, Service } from './model.js';
import { bool, durationMs, fieldsOf, int, items, listOrDict, sortedRecord, str, scalarText, type Field } from './read.js';
import { kindName } from './tree.js';

export function normalizeBuild(ctx: NormalizeContext, f: Field): BuildSpec | undefined {
  if (f.node.kind === 'scalar' && typeof f.node.value === 'string') {
    return { context: buildContext(ctx, f.node.value), dockerfile: 'Dockerfile', args: {}, labels: {} };
  }
  const fields = fieldsOf(f, ctx.d, [...BUILD_KEYS, ...IGNORED_BUILD_KEYS]);
  if (!fields) return undefined;
  warnIgnored(ctx, fields, Object.fromEntries(IGNORED_BUILD_KEYS.map((k) => [k, 'composed builds with context, dockerfile, args, target, labels and no_cache only'])));
  const context = fields.context ? str(fields.context, ctx.d) : '.';
  const dockerfile = fields.dockerfile ? str(fields.dockerfile, ctx.d) : 'Dockerfile';
  const target = fields.target ? str(fields.target, ctx.d) : undefined;
  const noCache = fields.no_cache ? bool(fields.no_cache, ctx.d) : undefined;
  // A build arg without a value takes it from the environment; one missing there is left out.
  const args = new Map<string, string>();
  for (const [k, { value }] of (fields.args ? listOrDict(fields.args, ctx.d) : undefined) ?? []) {
    const v = value ?? ctx.env[k];
    if (v !== undefined) args.set(k, v);
  }
  const labels = new Map<string, string>();
  for (const [k, { value }] of (fields.labels ? listOrDict(fields.labels, ctx.d) : undefined) ?? []) labels.set(k, value ?? '');
  if (context === undefined || dockerfile === undefined) return undefined;
  return {
    context: buildContext(ctx, context),
    dockerfile,
    args: sortedRecord(args),
    ...(target ? { target } : {}),
    labels: sortedRecord(labels),
    ...(noCache ? { noCache } : {}),
  };
}

/** Git and HTTP contexts stay as written; a path becomes absolute. */
function buildContext(ctx: NormalizeContext, context: string): string {
  return /^[a-z]+:\/\//.test(context) || context.startsWith('git@') ? context : resolveHostPath(ctx, context);
}

const HEALTH_KEYS = ['disable', 'interval', 'retries', 'start_interval', 'start_period', 'test', 'timeout'];

export function normalizeHealthcheck(ctx: NormalizeContext, f: Field): Healthcheck | undefined {
  const fields = fieldsOf(f, ctx.d, HEALTH_KEYS);
  if (!fields) return undefined;
  const disabled = fields.disable ? bool(fields.disable, ctx.d) : false;
  if (disabled) return { test: ['NONE'] };
  const out: Healthcheck = { test: [] };
  if (fields.test) {
    const t = fields.test.node;
    if (t.kind === 'scalar' && typeof t.value === 'string') out.test = ['CMD-SHELL', t.value];
    else if (t.kind === 'seq') {
      const words = items(fields.test, ctx.d)?.map((i) => scalarText(i, ctx.d)).filter((w): w is string => w !== undefined) ?? [];
      if (!['NONE', 'CMD', 'CMD-SHELL'].includes(words[0] ?? '')) {
        ctx.d.error(t.pos, fields.test.path, `a healthcheck test list must start with "CMD", "CMD-SHELL" or "NONE", not ${JSON.stringify(words[0] ?? '')}`);
      } else if (words[0] === 'CMD-SHELL' && words.length !== 2) {
        ctx.d.error(t.pos, fields.test.path, '"CMD-SHELL" takes exactly one command string');
      } else out.test = words;
    } else ctx.d.error(t.pos, fields.test.path, `must be a command string or a list, not ${kindName(t)}`);
  }
  const ms = (key: string): number | undefined => (fields[key] ? durationMs(fields[key]!, ctx.d) : undefined);
  const interval = ms('interval');
  const timeout = ms('timeout');
  const startPeriod = ms('start_period');
  const startInterval = ms('start_interval');
  const retries = fields.retries ? int(fields.retries, ctx.d, { min: 0 }) : undefined;
  return {
    test: out.test,
    ...(interval !== undefined ? { intervalMs: interval } : {}),
    ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
    ...(retries !== undefined ? { retries } : {}),
    ...(startPeriod !== undefined ? { startPeriodMs: startPeriod } : {}),
    ...(startInterval !== undefined ? { startIntervalMs: startInterval } : {}),
  };
}

export function normalizeLogging(ctx: NormalizeContext, f: Field): Service['logging'] {
  const fields = fieldsOf(f, ctx.d, ['driver', 'options']);
  if (!fields) return undefined;
  const driver = fields.driver ? str(fields.driver, ctx.d) : undefined;
  const options = new Map<string, string>();
  if (fields.options && !(fields.options.node.kind === 'scalar' && fields.options.node.value === null)) {
    for (const [k, { value }] of listOrDict(fields.options, ctx.d) ?? []) if (value !== null) options.set(k, value);
  }
  return { ...(driver ? { driver } : {}), options: sortedRecord(options) };
}

export function normalizeUlimits(ctx: NormalizeContext, f: Field): Service['ulimits'] {
  const out = new Map<string, { soft: number; hard: number }>();
  if (f.node.kind !== 'map') {
    ctx.d.error(f.node.pos, f.path, `must be a mapping of limit names, not ${kindName(f.node)}`);
    return {};
  }
  for (const [name, entry] of f.node.entries) {
    const item: Field = { node: entry.value, path: `${f.path}.${name}`, keyPos: entry.keyPos };
    if (entry.value.kind === 'map') {
      const fields = fieldsOf(item, ctx.d, ['hard', 'soft']);
      if (!fields) continue;
      if (!fields.soft || !fields.hard) {
        ctx.d.error(entry.value.pos, item.path, 'a ulimit mapping needs both soft and hard');
        continue;
      }
      const soft = int(fields.soft, ctx.d);
      const hard = int(fields.hard, ctx.d);
      if (soft === undefined || hard === undefined) continue;
      if (soft > hard && hard !== -1) ctx.d.error(fields.soft.node.pos, fields.soft.path, `soft limit ${soft} is above the hard limit ${hard}`);
      else out.set(name, { soft, hard });
    } else {
      const n = int(item, ctx.d);
      if (n !== undefined) out.set(name, { soft: n, hard: n });
    }
  }
  return sortedRecord(out);
}

/** extra_hosts as the engine wants them: "host:ip" (a host with several addresses repeats). */
export function normalizeExtraHosts(ctx: NormalizeContext, f: Field): string[] {
  const out: string[] = [];
  if (f.node.kind === 'map') {
    for (const [host, entry] of f.node.entries) {
      const item: Field = { node: entry.value, path: `${f.path}.${host}`, keyPos: entry.keyPos };
      const ips = entry.value.kind === 'seq' ? items(item, ctx.d)?.map((i) => str(i, ctx.d)) ?? [] : [str(item, ctx.d)];
      for (const ip of ips) if (ip !== undefined) out.push(`${host}:${ip}`);
    }
    return out;
  }
  for (const item of items(f, ctx.d) ?? []) {
    const text = str(item, ctx.d);
    if (text === undefined) continue;
    const m = /^([^=:]+)[=:](.+)$/.exec(text);
    if (!m) {
      ctx.d.error(item.node.pos, item.path, `${JSON.stringify(text)} is not a host entry (expected HOST:IP or HOST=IP)`);
      continue;
    }
    out.push(`${m[1]}:${m[2]}`);
  }
  return out;
}

/** devices as "HOST[:CONTAINER[:PERMISSIONS]]" strings; the long form is written back that way. */
export function normalizeDevices(ctx: NormalizeContext, f: Field): string[] {
  const out: string[] = [];
  for (const item of items(f, ctx.d) ?? []) {
    if (item.node.kind === 'map') {
      const fields = fieldsOf(item, ctx.d, ['permissions', 'source', 'target']);
      if (!fields) continue;
      if (!fields.source) {
        ctx.d.error(item.node.pos, item.path, 'a device needs a source');
        continue;
      }
      const source = str(fields.source, ctx.d);
      const target = fields.target ? str(fields.target, ctx.d) : source;
      const permissions = fields.permissions ? str(fields.permissions, ctx.d) : 'rwm';
      if (source !== undefined && target !== undefined && permissions !== undefined) out.push(`${source}:${target}:${permissions}`);
      continue;
    }
    const text = str(item, ctx.d);
    if (text !== undefined) out.push(text);
  }
  return out;
}
