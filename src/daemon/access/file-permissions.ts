// Could this uid (with these groups) read or write that path? Computed from the mode, owner and
// group of the file and of every directory above it, as the kernel would check them for that
// process: fs.access answers only for the daemon itself, which is root. Symbolic links are
// followed (the engine and the loader follow them too) and the real path is checked as well.
// ACLs are not read: a file opened to a user only by an ACL is refused, never the other way.
import { realpathSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

export interface Identity {
  uid: number;
  /** Primary and supplementary gids. */
  groups: number[];
}

type Want = 'read' | 'write';

const BITS = { read: 4, write: 2, search: 1 } as const;

/** Why `who` may not read or write `path`, or undefined when they may. */
export function permissionRefusal(who: Identity, path: string, want: Want): string | undefined {
  if (who.uid === 0) return undefined;
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : `cannot be checked (${(error as Error).message})`;
  }
  for (const candidate of real === path ? [path] : [path, real]) {
    const refusal = directoriesRefusal(who, dirname(candidate)) ?? modeRefusal(who, candidate, want);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

export function owns(who: Identity, path: string): boolean {
  try {
    return statSync(realpathSync(path)).uid === who.uid;
  } catch {
    return false;
  }
}

/** Every directory from / down to `dir` must let `who` through (search permission). */
function directoriesRefusal(who: Identity, dir: string): string | undefined {
  const chain: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    chain.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of chain) {
    const stats = statOrUndefined(d);
    if (!stats) return `${d} cannot be checked`;
    if (!allows(who, stats, BITS.search)) return `permission denied: directory ${d} is not open to uid ${who.uid}`;
  }
  return undefined;
}

function modeRefusal(who: Identity, path: string, want: Want): string | undefined {
  const stats = statOrUndefined(path);
  if (!stats) return 'no such file or directory';
  return allows(who, stats, BITS[want]) ? undefined : `permission denied: uid ${who.uid} may not ${want} it (owner ${stats.uid}, group ${stats.gid}, mode ${(stats.mode & 0o7777).toString(8).padStart(4, '0')})`;
}

/** The owner's bits for the owner, else the group's for a member, else the others': as the kernel. */
function allows(who: Identity, stats: Stats, bit: number): boolean {
  if (stats.uid === who.uid) return ((stats.mode >> 6) & bit) !== 0;
  if (who.groups.includes(stats.gid)) return ((stats.mode >> 3) & bit) !== 0;
  return (stats.mode & bit) !== 0;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
