// Makes the relative host paths of a compose tree absolute against a given directory, for trees that
// come from another project directory (`include`, `extends: {file}`): their relative paths belong to
// their own directory, not to the project's.
import { posix } from 'node:path';
import { scalar, type MapEntry, type MapNode, type Node } from './tree.js';
import { parseVolumeSpec } from './volume-spec.js';

function isRelativePath(p: string): boolean {
  return !posix.isAbsolute(p) && !p.startsWith('~') && !/^[a-z]+:\/\//.test(p) && !p.startsWith('git@');
}

function rebaseString(node: Node, dir: string): Node {
  if (node.kind !== 'scalar' || typeof node.value !== 'string' || !isRelativePath(node.value)) return node;
  return { ...scalar(posix.resolve(dir, node.value), node.pos), quoted: node.quoted };
}

function mapWith(node: MapNode, key: string, f: (n: Node) => Node): MapNode {
  const e = node.entries.get(key);
  if (!e) return node;
  const entries = new Map(node.entries);
  entries.set(key, { ...e, value: f(e.value) });
  return { ...node, entries };
}

function eachItem(node: Node, f: (n: Node) => Node): Node {
  return node.kind === 'seq' ? { ...node, items: node.items.map(f) } : f(node);
}

function rebaseVolume(node: Node, dir: string): Node {
  if (node.kind === 'map') {
    const type = node.entries.get('type')?.value;
    return type?.kind === 'scalar' && type.value === 'bind' ? mapWith(node, 'source', (n) => rebaseString(n, dir)) : node;
  }
  if (node.kind !== 'scalar' || typeof node.value !== 'string') return node;
  const r = parseVolumeSpec(node.value);
  if (!r.ok || r.volume.type !== 'bind' || !isRelativePath(r.volume.source)) return node;
  const rest = node.value.slice(r.volume.source.length);
  return { ...scalar(`${posix.resolve(dir, r.volume.source)}${rest}`, node.pos), quoted: node.quoted };
}

/** One service pulled in from another directory. */
export function rebaseService(node: Node, dir: string): Node {
  if (node.kind !== 'map') return node;
  let out = node;
  out = mapWith(out, 'build', (b) => (b.kind === 'map' ? mapWith(b, 'context', (c) => rebaseString(c, dir)) : rebaseString(b, dir)));
  out = mapWith(out, 'env_file', (e) => eachItem(e, (item) => (item.kind === 'map' ? mapWith(item, 'path', (p) => rebaseString(p, dir)) : rebaseString(item, dir))));
  out = mapWith(out, 'volumes', (v) => eachItem(v, (item) => rebaseVolume(item, dir)));
  out = mapWith(out, 'extends', (x) => (x.kind === 'map' ? mapWith(x, 'file', (f) => rebaseString(f, dir)) : x));
  return out;
}

function eachEntry(node: Node, f: (n: Node) => Node): Node {
  if (node.kind !== 'map') return node;
  const entries = new Map<string, MapEntry>();
  for (const [k, e] of node.entries) entries.set(k, { ...e, value: f(e.value) });
  return { ...node, entries };
}

/** The whole document: services, and the files of top-level secrets and configs. */
export function rebaseDocument(root: Node, dir: string): Node {
  if (root.kind !== 'map') return root;
  let out = mapWith(root, 'services', (s) => eachEntry(s, (svc) => rebaseService(svc, dir)));
  for (const section of ['secrets', 'configs']) {
    out = mapWith(out, section, (s) => eachEntry(s, (obj) => (obj.kind === 'map' ? mapWith(obj, 'file', (f) => rebaseString(f, dir)) : obj)));
  }
  return out;
}
