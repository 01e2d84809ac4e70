// What loading a project for a caller may touch: files only as that caller could read them, and,
// for the restricted group, the policy (compose/restricted-policy.ts) with the host's answers:
// which paths they may bind-mount.
import { statSync } from 'node:fs';
import { ComposeError } from '../../compose/errors.js';
import type { FileAccess } from '../../compose/file-access.js';
import type { LoadResult } from '../../compose/load.js';
import { restrictedPolicy } from '../../compose/restricted-policy.js';
import type { Caller } from './caller.js';
import { owns, permissionRefusal, type Identity } from './file-permissions.js';

/** Who a project is loaded for: the caller of `up`, and, on every reload, the project's owner. */
export interface ProjectOwner {
  uid: number;
  gid: number;
  groups: number[];
  restricted: boolean;
}

/** The caller as a project's owner; undefined for the TCP token holder, who is root's equal. */
export function projectOwner(caller: Caller): ProjectOwner | undefined {
  if (caller.uid === undefined || caller.gid === undefined) return undefined;
  return { uid: caller.uid, gid: caller.gid, groups: caller.groups, restricted: caller.role === 'restricted' };
}

/** Undefined: the daemon's own permissions (root, the daemon's uid, a caller the kernel could not name). */
export function fileAccessFor(owner: ProjectOwner | undefined, daemonUid = process.getuid?.() ?? 0): FileAccess | undefined {
  if (!owner || owner.uid === 0 || owner.uid === daemonUid) return undefined;
  return { refusal: (path) => permissionRefusal(owner, path, 'read') };
}

/** Throws the policy's refusals as any other invalid file, positioned, before anything is touched. */
export function enforcePolicy(owner: ProjectOwner | undefined, loaded: LoadResult): void {
  if (!owner?.restricted) return;
  const refusals = restrictedPolicy(loaded.project, loaded.tree, { uid: owner.uid, bindRefusal: (path) => bindRefusal(owner, path) });
  if (refusals.length > 0) throw new ComposeError([...refusals, ...loaded.warnings.filter((w) => w.severity === 'warning')]);
}

/** A restricted caller bind-mounts only what they own or may write; never a socket (the engine's is root). */
export function bindRefusal(who: Identity, path: string): string | undefined {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 'it does not exist (the engine would create it, as root)';
  }
  if (stats.isSocket()) return 'it is a socket (the engine\'s own socket is root on the host)';
  if (owns(who, path)) return undefined;
  const refusal = permissionRefusal(who, path, 'write');
  return refusal === undefined ? undefined : `it is not yours and you may not write it (${refusal})`;
}
