// The top-level `x-composed` block: what composed itself reads at project level (today, where to
// send notifications, and the default of following image tags). Its other `x-*` siblings stay verbatim in Project.extensions.
import { parseNotifyTarget } from './notify-target.js';
import type { UpdatePolicy } from './model.js';
import { fieldsOf, items, str, type Diagnostics, type Field } from './read.js';
import { readUpdatePolicy } from './update-policy.js';
import type { MapNode } from './tree.js';

export interface ProjectExtension {
  notify?: string[];
  /** The default `update` of services that set none. */
  update?: UpdatePolicy;
}

export function readProjectExtension(d: Diagnostics, root: MapNode): ProjectExtension {
  const entry = root.entries.get('x-composed');
  if (!entry) return {};
  const block: Field = { node: entry.value, path: 'x-composed', keyPos: entry.keyPos };
  const fields = fieldsOf(block, d, ['notify', 'update']);
  if (!fields) return {};
  const update = fields.update ? readUpdatePolicy(fields.update, d) : undefined;
  const withUpdate = update ? { update } : {};
  if (!fields.notify) return withUpdate;
  const list = items(fields.notify, d);
  if (!list) return withUpdate;
  const notify: string[] = [];
  for (const item of list) {
    const text = str(item, d);
    if (text === undefined) continue;
    const target = parseNotifyTarget(text);
    if ('error' in target) d.error(item.node.pos, item.path, target.error);
    else notify.push(text.trim());
  }
  return { notify, ...withUpdate };
}
