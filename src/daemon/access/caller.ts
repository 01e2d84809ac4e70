// Who a request comes from and what they may do. Through the unix socket: the kernel's peer
// credentials, classed by the daemon's groups. Through the TCP listener: whoever holds the token,
// who may do everything (the token is as good as root, and is kept like a root secret).
import type { IncomingMessage } from 'node:http';
import { peerCredentials } from './peer-credentials.js';

/**
 * root: uid 0 or the daemon's own uid; full: the socket group (root-equivalent, like the docker
 * group); restricted: the restricted group, under compose/restricted-policy.ts; none: refused.
 */
export type CallerRole = 'root' | 'full' | 'restricted' | 'none';

export interface Caller {
  via: 'socket' | 'http';
  role: CallerRole;
  /** Absent for the TCP listener's token holder. */
  uid?: number;
  gid?: number;
  pid?: number;
  groups: number[];
}

export interface AccessGroups {
  /** `--socket-group`: its members may do what root may. */
  socketGroup?: number;
  /** `--restricted-group`: its members manage their own projects under the policy. */
  restrictedGroup?: number;
}

const callers = new WeakMap<IncomingMessage, Caller>();

export function identify(req: IncomingMessage, groups: AccessGroups, daemonUid = process.getuid?.() ?? 0): Caller {
  const known = callers.get(req);
  if (known) return known;
  const peer = peerCredentials(req.socket);
  const caller: Caller = peer ? { via: 'socket', role: roleOf(peer, groups, daemonUid), ...peer } : req.socket.remoteAddress !== undefined ? { via: 'http', role: 'root', groups: [] } : unknownPeer();
  callers.set(req, caller);
  return caller;
}

/** The caller `identify` found for this request (root when none was asked: tests, in-process use). */
export function callerOf(req: IncomingMessage): Caller {
  return callers.get(req) ?? { via: 'socket', role: 'root', groups: [] };
}

export function roleOf(peer: { uid: number; groups: number[] }, groups: AccessGroups, daemonUid: number): CallerRole {
  if (peer.uid === 0 || peer.uid === daemonUid) return 'root';
  if (groups.socketGroup !== undefined && peer.groups.includes(groups.socketGroup)) return 'full';
  if (groups.restrictedGroup !== undefined && peer.groups.includes(groups.restrictedGroup)) return 'restricted';
  return 'none';
}

/**
 * Without SO_PEERCRED (another OS, the addon not built) the socket's mode is the only gate, as it
 * was: a daemon with a restricted group refuses to start there (main.ts), so this is a full caller.
 */
function unknownPeer(): Caller {
  return { via: 'socket', role: 'full', groups: [] };
}

/** How events and logs name the caller. */
export function describeCaller(caller: Caller): string {
  if (caller.via === 'http') return 'the TCP listener\'s token';
  if (caller.uid === undefined) return 'a socket client the kernel did not name';
  return `uid ${caller.uid} (gid ${caller.gid}, pid ${caller.pid})`;
}
