// Lifecycle hooks (post_start, pre_stop: compose 2.30+) and the command words they share with
// command/entrypoint. A hook is a command the daemon runs in the container through exec.
import type { NormalizeContext } from './context.js';
import type { ServiceHook } from './model.js';
import { bool, fieldsOf, items, listOrDict, scalarText, sortedRecord, str, type Field } from './read.js';
import { splitShellWords } from './shell-words.js';
import { kindName } from './tree.js';

const HOOK_KEYS = ['command', 'environment', 'privileged', 'user', 'working_dir'];

/** A string is split like a shell would; a list is taken word for word. */
export function commandWords(ctx: NormalizeContext, f: Field): string[] | undefined {
  if (f.node.kind === 'scalar' && typeof f.node.value === 'string') {
    const r = splitShellWords(f.node.value);
    if (r.ok) return r.words;
    ctx.d.error(f.node.pos, f.path, `cannot split ${JSON.stringify(f.node.value)} into words: ${r.error}`);
    return undefined;
  }
  if (f.node.kind === 'seq') return items(f, ctx.d)?.map((i) => scalarText(i, ctx.d)).filter((w): w is string => w !== undefined);
  ctx.d.error(f.node.pos, f.path, `must be a string or a list of strings, not ${kindName(f.node)}`);
  return undefined;
}

/** `post_start:` / `pre_stop:`: a list of hooks, each with a command. */
export function normalizeHooks(ctx: NormalizeContext, f: Field): ServiceHook[] {
  const hooks: ServiceHook[] = [];
  for (const item of items(f, ctx.d) ?? []) {
    const fields = fieldsOf(item, ctx.d, HOOK_KEYS);
    if (!fields) continue;
    if (!fields.command) {
      ctx.d.error(item.node.pos, item.path, 'a hook needs a command');
      continue;
    }
    const command = commandWords(ctx, fields.command);
    if (command === undefined) continue;
    if (command.length === 0) {
      ctx.d.error(fields.command.node.pos, fields.command.path, 'the command is empty');
      continue;
    }
    const user = fields.user ? str(fields.user, ctx.d) : undefined;
    const workingDir = fields.working_dir ? str(fields.working_dir, ctx.d) : undefined;
    if (workingDir !== undefined && !workingDir.startsWith('/')) {
      ctx.d.error(fields.working_dir!.node.pos, fields.working_dir!.path, `${JSON.stringify(workingDir)} must be an absolute path in the container`);
    }
    hooks.push({
      command,
      ...(user !== undefined ? { user } : {}),
      privileged: fields.privileged ? bool(fields.privileged, ctx.d) ?? false : false,
      ...(workingDir !== undefined ? { workingDir } : {}),
      environment: fields.environment ? hookEnvironment(ctx, fields.environment) : {},
    });
  }
  return hooks;
}

/** A name without a value takes the host's, as the service's environment does; unset, it is left out. */
function hookEnvironment(ctx: NormalizeContext, f: Field): Record<string, string> {
  const out = new Map<string, string>();
  for (const [name, { value }] of listOrDict(f, ctx.d) ?? []) {
    const resolved = value ?? ctx.env[name];
    if (resolved !== undefined) out.set(name, resolved);
  }
  return sortedRecord(out);
}
