// The ports a service listens on, as Kubernetes names them: `ports` targets and `expose`, each
// container port once per protocol, sorted.
import type { Service } from '../../compose/model.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ListenPort {
  port: number;
  protocol: Protocol;
  /** An IANA service name, unique in the service: what Kubernetes needs to tell ports apart. */
  name: string;
  appProtocol?: string;
}

const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

export function listenPorts(service: Service): ListenPort[] {
  const byKey = new Map<string, { port: number; protocol: Protocol; name?: string; appProtocol?: string }>();
  const add = (port: number, protocol: Protocol, name?: string, appProtocol?: string): void => {
    const key = `${port}/${protocol}`;
    const entry = byKey.get(key) ?? { port, protocol };
    if (name !== undefined) entry.name = name;
    if (appProtocol !== undefined) entry.appProtocol = appProtocol;
    byKey.set(key, entry);
  };
  for (const p of service.ports) add(p.target, protocolOf(p.protocol), p.name, p.appProtocol);
  for (const e of service.expose) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(e);
    if (!m) continue;
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    for (let port = start; port <= end; port++) add(port, protocolOf(m[3] ?? 'tcp'));
  }
  const sorted = [...byKey.values()].sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0));
  const used = new Set<string>();
  return sorted.map((p) => {
    const own = p.name !== undefined && p.name.length <= 15 && IANA_SVC_NAME.test(p.name) && !used.has(p.name) ? p.name : undefined;
    const name = own ?? `${p.protocol.toLowerCase()}-${p.port}`;
    used.add(name);
    return { port: p.port, protocol: p.protocol, name, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) };
  });
}

export function protocolOf(protocol: string): Protocol {
  return protocol.toUpperCase() as Protocol;
}
