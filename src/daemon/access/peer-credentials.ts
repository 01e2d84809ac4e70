// Who is on the other end of a unix-socket connection, from the kernel: SO_PEERCRED gives the uid,
// gid and pid of the process that called connect(), so a client cannot claim to be someone else
// (unix(7)). Node exposes no getsockopt for it and no maintained package does (sockopt reads
// integers only; unix-socket-credentials needs node-ffi, which does not build on Node 20), so
// native/peer-credentials is a 50-line N-API addon. Supplementary groups are not in struct ucred:
// they come from /proc/<pid>/status, read at once, while the connecting process still waits for
// its answer.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export interface PeerCredentials {
  uid: number;
  gid: number;
  pid: number;
  /** The primary gid and the supplementary groups. */
  groups: number[];
}

interface Addon {
  peerCredentials?: (fd: number) => { uid: number; gid: number; pid: number };
}

const addon = loadAddon();

function loadAddon(): Addon {
  try {
    return createRequire(import.meta.url)('composed-peer-credentials') as Addon;
  } catch {
    return {};
  }
}

/** Undefined when the kernel cannot tell (not a unix socket, not Linux, the addon not built). */
export function peerCredentials(socket: Socket): PeerCredentials | undefined {
  // A unix-socket connection's handle is a Pipe with its file descriptor; a TCP one has an address.
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (socket.remoteAddress !== undefined || fd === undefined || fd < 0 || !addon.peerCredentials) return undefined;
  const known = bySocket.get(socket);
  if (known) return known;
  const { uid, gid, pid } = addon.peerCredentials(fd);
  const peer = { uid, gid, pid, groups: [...new Set([gid, ...supplementaryGroups(pid, uid)])].sort((a, b) => a - b) };
  bySocket.set(socket, peer);
  return peer;
}

/** Read once per connection, at its first request: the nearest to connect() the daemon gets. */
const bySocket = new WeakMap<Socket, PeerCredentials>();

/**
 * The groups of `pid`, if it still is a process of `uid`. A client that has exited (its pid maybe
 * reused by someone else) gets none: only its primary gid counts then, which can refuse, never grant.
 */
export function supplementaryGroups(pid: number, uid: number, proc = '/proc'): number[] {
  try {
    const lines = readFileSync(`${proc}/${pid}/status`, 'utf8').split('\n');
    const field = (name: string) => (lines.find((l) => l.startsWith(`${name}:`)) ?? '').slice(name.length + 1).trim().split(/\s+/).filter((g) => /^\d+$/.test(g)).map(Number);
    if (!field('Uid').includes(uid)) return [];
    return field('Groups');
  } catch {
    // The client already went away: its request will find no one to answer either.
    return [];
  }
}

/** Whether SO_PEERCRED can be read here at all (the daemon says so at start when not). */
export const peerCredentialsAvailable = addon.peerCredentials !== undefined;
