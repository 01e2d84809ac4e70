// `develop.watch` (compose watch): which host paths `composed watch` follows and what a change
// does: sync the files into the running replicas, rebuild and roll out, or restart.
import { posix } from 'node:path';
import { resolveHostPath, warnIgnored, type NormalizeContext } from './context.js';
import type { Develop, WatchAction, WatchRule } from './model.js';
import { fieldsOf, items, oneOf, str, strList, type Field } from './read.js';

const WATCH_ACTIONS = ['sync', 'rebuild', 'restart', 'sync+restart', 'sync+exec'] as const;
const RULE_KEYS = ['action', 'exec', 'ignore', 'include', 'initial_sync', 'path', 'target'];

export function normalizeDevelop(ctx: NormalizeContext, f: Field): Develop | undefined {
  const fields = fieldsOf(f, ctx.d, ['watch']);
  if (!fields) return undefined;
  const watch: WatchRule[] = [];
  for (const item of fields.watch ? items(fields.watch, ctx.d) ?? [] : []) {
    const rule = normalizeRule(ctx, item);
    if (rule) watch.push(rule);
  }
  return { watch };
}

function normalizeRule(ctx: NormalizeContext, item: Field): WatchRule | undefined {
  const fields = fieldsOf(item, ctx.d, RULE_KEYS);
  if (!fields) return undefined;
  warnIgnored(ctx, fields, { include: 'include patterns are not applied; every file under path is watched', initial_sync: 'files are synced when they change, not at start' });
  if (!fields.path || !fields.action) {
    ctx.d.error(item.node.pos, item.path, `a watch rule needs ${!fields.path ? 'a path' : 'an action'}`);
    return undefined;
  }
  const path = str(fields.path, ctx.d);
  const action = oneOf(fields.action, ctx.d, WATCH_ACTIONS);
  if (action === 'sync+exec') {
    ctx.d.error(fields.action.node.pos, fields.action.path, 'action sync+exec is not supported by composed (use sync+restart)');
    return undefined;
  }
  if (fields.exec) ctx.d.error(fields.exec.keyPos, fields.exec.path, 'exec belongs to action sync+exec, which composed does not support');
  const target = fields.target ? str(fields.target, ctx.d) : undefined;
  if (target !== undefined && !target.startsWith('/')) {
    ctx.d.error(fields.target!.node.pos, fields.target!.path, `${JSON.stringify(target)} must be an absolute path in the container`);
  }
  if (action !== undefined && syncs(action) && target === undefined) {
    ctx.d.error(item.node.pos, item.path, `action ${action} needs a target (where the files go in the container)`);
  }
  if (path === undefined || action === undefined) return undefined;
  return {
    path: resolveHostPath(ctx, path),
    action,
    ...(target !== undefined ? { target: posix.resolve('/', target) } : {}),
    ignore: fields.ignore ? strList(fields.ignore, ctx.d) ?? [] : [],
  };
}

export function syncs(action: WatchAction): boolean {
  return action === 'sync' || action === 'sync+restart';
}
