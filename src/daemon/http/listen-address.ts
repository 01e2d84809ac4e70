// `--http HOST:PORT`: where the dashboard and the control API listen over TCP, and whether that
// address is reachable from beyond this host (then a token must have been asked for explicitly).
import { isIP } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
  /** Only this host can connect (127.0.0.0/8, ::1, localhost). */
  loopback: boolean;
}

export function parseListenAddress(addr: string, flag = '--http'): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(addr);
  const host = match?.[1] ?? match?.[2] ?? '';
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535 || (host !== '' && host !== 'localhost' && isIP(host) === 0)) {
    throw new Error(`${flag}: ${JSON.stringify(addr)} is not HOST:PORT with an IP address or localhost (e.g. 127.0.0.1:8765)`);
  }
  const resolved = host === '' ? '127.0.0.1' : host;
  return { host: resolved, port, loopback: isLoopback(resolved) };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** The origin a browser on this host uses to reach the listener (an unspecified address as loopback). */
export function browserOrigin({ host, port }: ListenAddress): string {
  if (host === '0.0.0.0') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return isIP(host) === 6 ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
