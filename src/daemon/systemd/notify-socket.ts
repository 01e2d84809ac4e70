// Delivering one sd_notify datagram to the socket named by NOTIFY_SOCKET.
//
// Node's dgram has no AF_UNIX datagrams, so a path socket (what systemd itself hands every
// service: /run/systemd/notify) is written with unix-dgram, a small native addon: the datagram
// leaves our own process, so the kernel stamps it with our pid and NotifyAccess=main accepts it.
// unix-dgram cannot address abstract sockets ("@name"): it copies the name with strncpy, which
// stops at the leading NUL, and always passes the full sockaddr_un length, while abstract names
// are compared by their exact length. For those (older systemd, some container managers) we run
// systemd-notify with --pid=<ours>, which makes it send with our pid in the credentials when it
// may (as root) so that NotifyAccess=main still accepts it.
import { execFile } from 'node:child_process';
import { constants } from 'node:os';

export type NotifyAddress = { kind: 'path'; path: string } | { kind: 'abstract'; name: string };

/** Sends one newline-separated notification; rejects with a readable error. */
export type NotifyTransport = (address: NotifyAddress, message: string) => Promise<void>;

/** The address in NOTIFY_SOCKET; undefined when unset (not started by systemd), throws when unusable. */
export function parseNotifySocket(value: string | undefined): NotifyAddress | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.startsWith('@') && value.length > 1) return { kind: 'abstract', name: value.slice(1) };
  if (value.startsWith('/')) return { kind: 'path', path: value };
  throw new Error(`NOTIFY_SOCKET=${value} is neither an absolute path nor an abstract socket (@name)`);
}

export function createNotifyTransport({ pid, env }: { pid: number; env: NodeJS.ProcessEnv }): NotifyTransport {
  return (address, message) => (address.kind === 'path' ? sendDatagram(address.path, message) : runSystemdNotify(address.name, message, pid, env));
}

async function sendDatagram(path: string, message: string): Promise<void> {
  // Loaded on first use, so a daemon not run by systemd never loads the native addon.
  const { createSocket } = await import('unix-dgram');
  // A socket per message, as sd_notify does: a long-lived one would keep a libuv poll handle
  // (and so the event loop) alive.
  const socket = createSocket('unix_dgram');
  try {
    const buffer = Buffer.from(message);
    await new Promise<void>((resolve, reject) => {
      socket.send(buffer, 0, buffer.length, path, (error) => (error ? reject(new Error(`sending to ${path}: ${describe(error)}`)) : resolve()));
    });
  } finally {
    socket.close();
  }
}

function runSystemdNotify(name: string, message: string, pid: number, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    // --no-block: don't wait for the manager to confirm (a BARRIER=1 round trip) on every ping.
    execFile('systemd-notify', [`--pid=${pid}`, '--no-block', ...message.split('\n')], { env: { ...env, NOTIFY_SOCKET: `@${name}` }, timeout: 5_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new Error(missing ? 'an abstract NOTIFY_SOCKET needs systemd-notify (Debian package systemd) on PATH' : `systemd-notify: ${stderr.trim() || error.message}`));
    });
  });
}

/** unix-dgram reports "send -111"; say ECONNREFUSED instead. */
function describe(error: Error & { errno?: number }): string {
  const errno = error.errno;
  if (errno === undefined || errno >= 0) return error.message;
  return Object.entries(constants.errno).find(([, value]) => value === -errno)?.[0] ?? error.message;
}
