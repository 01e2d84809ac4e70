// `--socket-group` and `--restricted-group`: a numeric gid or a group name, looked up in /etc/group (no NSS: the daemon
// needs no libc binding for this, and /etc/group is where `groupadd` puts local groups).
import { readFileSync } from 'node:fs';

export interface GroupEntry {
  name: string;
  gid: number;
}

export function parseGroupFile(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name && gid !== undefined && /^\d+$/.test(gid)) out.push({ name, gid: Number(gid) });
  }
  return out;
}

/** The gid for a group flag's value; throws a message naming the flag and value when there is none. */
export function resolveSocketGroup(value: string, flag = '--socket-group', groupFile = '/etc/group'): number {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  let groups: GroupEntry[] = [];
  try {
    groups = parseGroupFile(readFileSync(groupFile, 'utf8'));
  } catch {
    // No /etc/group: only numeric gids work.
  }
  const found = groups.find((g) => g.name === trimmed);
  if (!found) throw new Error(`${flag}: no group named ${JSON.stringify(trimmed)} in ${groupFile} (give a name from there or a numeric gid)`);
  return found.gid;
}
