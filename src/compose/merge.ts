// Merging of compose documents (several -f files, several YAML documents, extends) on the
// positioned tree, with compose's override rules: mappings merge, sequences append, shell commands
// replace, list-or-mapping attributes merge by key, `!reset` removes and `!override` replaces.
// Every node keeps its own position, so an error later points into the file that contributed it.
// Uniqueness of ports/volumes/secrets/configs (merge by target) is applied during normalization.
import { scalar, type MapEntry, type MapNode, type Node, type SeqNode } from './tree.js';

type Path = readonly string[];

/** Attributes written either as a list of "KEY=VALUE" or as a mapping: merged by key. */
const DICT_ATTRIBUTES = [
  'services.*.environment', 'services.*.labels', 'services.*.annotations', 'services.*.sysctls',
  'services.*.extra_hosts', 'services.*.build.args', 'services.*.build.labels', 'services.*.build.extra_hosts',
  'services.*.deploy.labels', 'services.*.logging.options',
  'networks.*.labels', 'volumes.*.labels', 'secrets.*.labels', 'configs.*.labels',
];
const REPLACED_ATTRIBUTES = ['services.*.command', 'services.*.entrypoint', 'services.*.healthcheck.test'];

function matches(path: Path, pattern: string): boolean {
  const parts = pattern.split('.');
  return parts.length === path.length && parts.every((p, i) => p === '*' || p === path[i]);
}

function matchesAny(path: Path, patterns: readonly string[]): boolean {
  return patterns.some((p) => matches(path, p));
}

export function mergeDocuments(base: Node, override: Node): Node {
  return mergeAt(base, override, []);
}

function mergeAt(base: Node, over: Node, path: Path): Node {
  if (over.tag === '!override') return withoutTag(over);
  if (matchesAny(path, REPLACED_ATTRIBUTES)) return over;
  if (matchesAny(path, DICT_ATTRIBUTES)) return mergeAt2(dictToMap(base, path), dictToMap(over, path), path);
  if (matches(path, 'services.*.depends_on')) return mergeAt2(dependsToMap(base), dependsToMap(over), path);
  if (matches(path, 'services.*.networks')) return mergeAt2(namesToMap(base), namesToMap(over), path);
  if (matches(path, 'services.*.build')) return mergeAt2(buildToMap(base), buildToMap(over), path);
  if (matches(path, 'services.*.logging') && base.kind === 'map' && over.kind === 'map') {
    const driver = (m: MapNode): unknown => {
      const d = m.entries.get('driver')?.value;
      return d?.kind === 'scalar' ? d.value : undefined;
    };
    // Options belong to a driver: a different driver replaces the whole block.
    if (driver(base) !== undefined && driver(over) !== undefined && driver(base) !== driver(over)) return over;
  }
  return mergeAt2(base, over, path);
}

function mergeAt2(base: Node, over: Node, path: Path): Node {
  if (base.kind === 'map' && over.kind === 'map') return mergeMaps(base, over, path);
  const baseSeq = base.kind === 'seq' ? base : base.kind === 'scalar' && over.kind === 'seq' && typeof base.value === 'string' ? asSeq(base) : undefined;
  const overSeq = over.kind === 'seq' ? over : over.kind === 'scalar' && base.kind === 'seq' && typeof over.value === 'string' ? asSeq(over) : undefined;
  if (baseSeq && overSeq) return appendSeq(baseSeq, overSeq);
  return over;
}

function mergeMaps(base: MapNode, over: MapNode, path: Path): MapNode {
  const entries = new Map<string, MapEntry>(base.entries);
  for (const [key, entry] of over.entries) {
    if (entry.value.tag === '!reset') {
      entries.delete(key);
      continue;
    }
    const existing = entries.get(key);
    if (!existing || key.startsWith('x-')) {
      entries.set(key, { ...entry, value: withoutTag(entry.value) });
      continue;
    }
    entries.set(key, { ...existing, value: mergeAt(existing.value, entry.value, [...path, key]) });
  }
  return { ...base, entries };
}

/** Sequences append; a scalar already present is not repeated (dns, cap_add, ...). */
function appendSeq(base: SeqNode, over: SeqNode): SeqNode {
  const seen = new Set(base.items.filter((i) => i.kind === 'scalar').map((i) => scalarKey(i)));
  const items = [...base.items];
  for (const item of over.items) {
    if (item.kind === 'scalar') {
      if (seen.has(scalarKey(item))) continue;
      seen.add(scalarKey(item));
    }
    items.push(item);
  }
  return { ...base, items };
}

function scalarKey(n: Node): string {
  return n.kind === 'scalar' ? `${typeof n.value}:${n.text}` : '';
}

function asSeq(n: Node): SeqNode {
  return { kind: 'seq', items: [n], pos: n.pos };
}

function withoutTag<T extends Node>(n: T): T {
  if (n.tag === undefined) return n;
  const { tag: _tag, ...rest } = n;
  return rest as T;
}

/** "KEY=VALUE" list -> mapping, so that overrides merge by key. Anything else is left as is. */
function dictToMap(n: Node, path: Path): Node {
  if (n.kind !== 'seq') return n;
  const sep = path[path.length - 1] === 'extra_hosts' ? /[=:]/ : /=/;
  const entries: MapEntry[] = [];
  for (const item of n.items) {
    if (item.kind !== 'scalar' || typeof item.value !== 'string') return n;
    const m = sep.exec(item.value);
    const key = m ? item.value.slice(0, m.index) : item.value;
    const value = m ? scalar(item.value.slice(m.index + 1), item.pos) : scalar(null, item.pos);
    entries.push({ key, keyPos: item.pos, value });
  }
  return { kind: 'map', entries: new Map(entries.map((e) => [e.key, e])), pos: n.pos };
}

/** depends_on list form -> mapping form with the list form's meaning. */
function dependsToMap(n: Node): Node {
  if (n.kind !== 'seq') return n;
  const entries: MapEntry[] = [];
  for (const item of n.items) {
    if (item.kind !== 'scalar' || typeof item.value !== 'string') return n;
    const value: MapNode = {
      kind: 'map',
      pos: item.pos,
      entries: new Map([['condition', { key: 'condition', keyPos: item.pos, value: scalar('service_started', item.pos) }]]),
    };
    entries.push({ key: item.value, keyPos: item.pos, value });
  }
  return { kind: 'map', entries: new Map(entries.map((e) => [e.key, e])), pos: n.pos };
}

/** Service networks list form -> mapping form (name: null). */
function namesToMap(n: Node): Node {
  if (n.kind !== 'seq') return n;
  const entries: MapEntry[] = [];
  for (const item of n.items) {
    if (item.kind !== 'scalar' || typeof item.value !== 'string') return n;
    entries.push({ key: item.value, keyPos: item.pos, value: scalar(null, item.pos) });
  }
  return { kind: 'map', entries: new Map(entries.map((e) => [e.key, e])), pos: n.pos };
}

/** `build: ./dir` -> `build: {context: ./dir}`. */
function buildToMap(n: Node): Node {
  if (n.kind !== 'scalar' || typeof n.value !== 'string') return n;
  return { kind: 'map', pos: n.pos, entries: new Map([['context', { key: 'context', keyPos: n.pos, value: n }]]) };
}

/** Drops `!reset` values left in a document that overrides nothing (a first file). */
export function dropResets(n: Node): Node {
  if (n.kind === 'map') {
    const entries = new Map<string, MapEntry>();
    for (const [k, e] of n.entries) if (e.value.tag !== '!reset') entries.set(k, { ...e, value: dropResets(e.value) });
    return { ...withoutTag(n), entries };
  }
  if (n.kind === 'seq') return { ...withoutTag(n), items: n.items.filter((i) => i.tag !== '!reset').map(dropResets) };
  return withoutTag(n);
}

/** `extends`: the local service definition merged over its base, with the override rules. */
export function mergeService(base: Node, local: Node, name: string): Node {
  return mergeAt(base, local, ['services', name]);
}
