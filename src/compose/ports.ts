// Port short syntax ("80", "8080:80", "127.0.0.1:8080:80/udp", "9000-9002:9000-9002"), parsed the
// way docker's nat.ParsePortSpec does, expanded to one mapping per container port.
import { isIP } from 'node:net';
import type { PortMapping } from './model.js';

export const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export const PORT_SYNTAX = '[HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]';

export type PortParse = { ok: true; ports: PortMapping[] } | { ok: false; error: string };

export function parsePortSpec(raw: string): PortParse {
  const fail = (detail?: string): PortParse => ({
    ok: false,
    error: `${JSON.stringify(raw)} is not a port mapping (expected ${PORT_SYNTAX})${detail ? `: ${detail}` : ''}`,
  });
  if (raw === '') return fail('no port specified');
  const parts = raw.split(':');
  const last = parts[parts.length - 1]!;
  let ip = parts.length >= 3 ? parts.slice(0, parts.length - 2).join(':') : '';
  const hostPort = parts.length >= 2 ? parts[parts.length - 2]! : '';
  const slash = last.indexOf('/');
  const containerPort = slash < 0 ? last : last.slice(0, slash);
  const protocol = slash < 0 ? 'tcp' : last.slice(slash + 1).toLowerCase();
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip !== '' && isIP(ip) === 0) return fail(/[.:]/.test(ip) ? `${JSON.stringify(ip)} is not an IP address` : undefined);
  if (containerPort === '') return fail('no container port');
  const container = portRange(containerPort);
  if (!container) return fail(`invalid container port ${JSON.stringify(containerPort)}`);
  const host = hostPort === '' ? undefined : portRange(hostPort);
  if (hostPort !== '' && !host) return fail(`invalid host port ${JSON.stringify(hostPort)}`);
  const containerCount = container[1] - container[0];
  if (host && containerCount !== host[1] - host[0] && containerCount !== 0) {
    return fail(`host range ${hostPort} and container range ${containerPort} differ in length`);
  }
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) return fail(`unknown protocol ${JSON.stringify(protocol)}`);
  const ports: PortMapping[] = [];
  for (let i = 0; i <= containerCount; i++) {
    let published: string | undefined;
    if (host) {
      // A single container port with a host range lets the engine pick a free port in the range.
      published = containerCount === 0 && host[0] !== host[1] ? `${host[0]}-${host[1]}` : String(host[0] + i);
    }
    ports.push({
      target: container[0] + i,
      ...(published !== undefined ? { published } : {}),
      ...(ip !== '' ? { hostIp: ip } : {}),
      protocol: protocol as PortMapping['protocol'],
      mode: 'ingress',
    });
  }
  return { ok: true, ports };
}

/** "80" or "80-90" as [start, end]; undefined when not a valid port or range. */
export function portRange(text: string): [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return [start, end];
}
