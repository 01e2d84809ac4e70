// services.*.ports (short and long syntax, merged by host IP/published/target/protocol) and expose.
import type { NormalizeContext } from './context.js';
import type { PortMapping } from './model.js';
import { parsePortSpec, portRange, PROTOCOLS } from './ports.js';
import { fieldsOf, int, items, oneOf, str, type Field } from './read.js';
import { kindName } from './tree.js';

const LONG_PORT_KEYS = ['app_protocol', 'host_ip', 'mode', 'name', 'protocol', 'published', 'target'];

export function normalizePorts(ctx: NormalizeContext, f: Field): PortMapping[] {
  const list = items(f, ctx.d);
  if (!list) return [];
  const out: PortMapping[] = [];
  const index = new Map<string, number>();
  for (const item of list) {
    for (const port of portEntry(ctx, item)) {
      // A later definition of the same mapping (e.g. from an override file) replaces the earlier one.
      const key = `${port.hostIp ?? ''}:${port.published ?? ''}:${port.target}/${port.protocol}`;
      const at = index.get(key);
      if (at === undefined) {
        index.set(key, out.length);
        out.push(port);
      } else out[at] = port;
    }
  }
  return out;
}

function portEntry(ctx: NormalizeContext, item: Field): PortMapping[] {
  const node = item.node;
  if (node.kind === 'scalar' && typeof node.value === 'number') {
    if (!Number.isInteger(node.value) || node.value < 0 || node.value > 65535) {
      ctx.d.error(node.pos, item.path, `${node.text} is not a port number`);
      return [];
    }
    return [{ target: node.value, protocol: 'tcp', mode: 'ingress' }];
  }
  if (node.kind === 'scalar' && typeof node.value === 'string') {
    const r = parsePortSpec(node.value);
    if (!r.ok) {
      ctx.d.error(node.pos, item.path, r.error);
      return [];
    }
    return r.ports;
  }
  if (node.kind === 'map') return longPort(ctx, item);
  ctx.d.error(node.pos, item.path, `must be a port mapping string, a port number or a mapping, not ${kindName(node)}`);
  return [];
}

function longPort(ctx: NormalizeContext, item: Field): PortMapping[] {
  const fields = fieldsOf(item, ctx.d, LONG_PORT_KEYS);
  if (!fields) return [];
  if (!fields.target) {
    ctx.d.error(item.node.pos, item.path, 'a port mapping needs a target (the container port)');
    return [];
  }
  const target = int(fields.target, ctx.d, { min: 0 });
  let published: string | undefined;
  if (fields.published) {
    const p = fields.published.node;
    const text = p.kind === 'scalar' && (typeof p.value === 'string' || typeof p.value === 'number') ? p.text : undefined;
    if (text === undefined || !portRange(text)) {
      ctx.d.error(p.pos, fields.published.path, `${text === undefined ? kindName(p) : JSON.stringify(text)} is not a host port or port range`);
    } else published = text;
  }
  const protocol = fields.protocol ? oneOf(fields.protocol, ctx.d, PROTOCOLS) : 'tcp';
  const mode = fields.mode ? oneOf(fields.mode, ctx.d, ['ingress', 'host'] as const) : 'ingress';
  const hostIp = fields.host_ip ? str(fields.host_ip, ctx.d) : undefined;
  const name = fields.name ? str(fields.name, ctx.d) : undefined;
  const appProtocol = fields.app_protocol ? str(fields.app_protocol, ctx.d) : undefined;
  if (target !== undefined && target > 65535) ctx.d.error(fields.target.node.pos, fields.target.path, `${target} is not a port number (0-65535)`);
  if (target === undefined || target > 65535 || protocol === undefined || mode === undefined) return [];
  return [{
    target,
    ...(published !== undefined ? { published } : {}),
    ...(hostIp ? { hostIp } : {}),
    protocol,
    mode,
    ...(name ? { name } : {}),
    ...(appProtocol ? { appProtocol } : {}),
  }];
}

const EXPOSE = /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/;

export function normalizeExpose(ctx: NormalizeContext, f: Field): string[] {
  const list = items(f, ctx.d);
  if (!list) return [];
  const out: string[] = [];
  for (const item of list) {
    const n = item.node;
    const text = n.kind === 'scalar' && (typeof n.value === 'string' || typeof n.value === 'number') ? n.text : undefined;
    if (text === undefined || !EXPOSE.test(text)) {
      ctx.d.error(n.pos, item.path, `${text === undefined ? kindName(n) : JSON.stringify(text)} is not a port or port range (expected PORT[-PORT][/PROTOCOL])`);
      continue;
    }
    if (!out.includes(text)) out.push(text);
  }
  return out;
}
