// What a batch of changed host files becomes for the daemon's sync route: each file's path in the
// container (the rule's target plus its place under the rule's path), its content and mode, and
// the paths deleted on the host. Requests stay under the API's body limit.
import { readFileSync, statSync } from 'node:fs';
import { posix, relative, sep } from 'node:path';
import type { WatchRule } from '../../compose/model.js';
import type { SyncRequest } from '../../protocol/api.js';

/** Base64 grows by a third; this keeps a request well under the API's 1 MiB. */
const BATCH_BYTES = 600 * 1024;

export class TooLargeToSync extends Error {}

export function containerPathFor(rule: WatchRule, hostPath: string): string {
  const rel = relative(rule.path, hostPath).split(sep).join('/');
  return rel === '' ? rule.target! : posix.join(rule.target!, rel);
}

/** The changed paths (host, absolute) as sync requests; a path gone from the host is removed in the container. */
export function syncBatches(rule: WatchRule, changed: readonly string[]): SyncRequest[] {
  const batches: SyncRequest[] = [];
  let current: SyncRequest = { files: [], remove: [] };
  let size = 0;
  const flush = () => {
    if (current.files.length || current.remove.length) batches.push(current);
    current = { files: [], remove: [] };
    size = 0;
  };
  for (const path of [...changed].sort()) {
    const target = containerPathFor(rule, path);
    const stat = statOrUndefined(path);
    if (!stat) {
      current.remove.push(target);
      continue;
    }
    if (!stat.isFile()) continue; // directories come into being with their files
    if (stat.size > BATCH_BYTES) throw new TooLargeToSync(`${path} is ${stat.size} bytes, over the ${BATCH_BYTES} a sync carries; use action: rebuild for it`);
    if (size + stat.size > BATCH_BYTES) flush();
    current.files.push({ path: target, content: readFileSync(path).toString('base64'), mode: stat.mode & 0o7777 });
    size += stat.size;
  }
  flush();
  return batches;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
