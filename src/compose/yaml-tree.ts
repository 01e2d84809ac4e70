// YAML text -> positioned tree. Anchors, aliases and `<<:` merge keys are resolved here, so nothing
// later knows they existed; `!reset` / `!override` tags are kept for the merge step.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar, type Document } from 'yaml';
import type { Diagnostic } from './errors.js';
import { joinPath, type MapEntry, type Node, type Pos } from './tree.js';

/** An expanded document larger than this is a "billion laughs" alias bomb, not a compose file. */
const MAX_EXPANDED_NODES = 1_000_000;
const KEPT_TAGS = new Set(['!reset', '!override']);

export interface ParsedYaml {
  /** One root per YAML document in the file (compose merges them in order). */
  roots: Node[];
  diagnostics: Diagnostic[];
}

export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  const diagnostics: Diagnostic[] = [];
  const posAt = (offset: number): Pos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const report = (severity: Diagnostic['severity'], pos: Pos, path: string, message: string): void => {
    diagnostics.push({ severity, file, line: pos.line, column: pos.col, path, message });
  };
  const list = Array.isArray(docs) ? docs : [docs];
  const roots: Node[] = [];
  for (const doc of list) {
    for (const e of doc.errors) report('error', posAt(e.pos[0]), '', `invalid YAML: ${e.message}`);
    for (const w of doc.warnings) {
      if (w.code === 'TAG_RESOLVE_FAILED' && [...KEPT_TAGS].some((t) => w.message.includes(t))) continue;
      report('warning', posAt(w.pos[0]), '', w.message);
    }
    if (doc.errors.length > 0) continue;
    if (doc.contents === null) continue;
    const converter = new Converter(doc, text, posAt, report);
    const root = converter.convert(doc.contents, '');
    if (root && !converter.aliasBomb) roots.push(root);
  }
  return { roots, diagnostics };
}

type Reporter = (severity: Diagnostic['severity'], pos: Pos, path: string, message: string) => void;

class Converter {
  /** Anchored nodes convert once; aliases share the result, so the tree is a DAG. */
  private readonly memo = new Map<unknown, Node>();
  private readonly sizes = new WeakMap<Node, number>();
  /** Collections being converted: an alias to one of them is a cycle (`a: &x [*x]`). */
  private readonly open = new Set<unknown>();
  /** Set when the document expands past MAX_EXPANDED_NODES; its tree is then dropped. */
  aliasBomb = false;

  constructor(
    private readonly doc: Document,
    private readonly text: string,
    private readonly posAt: (offset: number) => Pos,
    private readonly report: Reporter,
  ) {}

  convert(node: unknown, path: string): Node | undefined {
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) {
        this.report('error', this.posAt(node.range?.[0] ?? 0), path, `unknown alias *${node.source}`);
        return undefined;
      }
      if (this.open.has(target)) {
        this.report('error', this.posAt(node.range?.[0] ?? 0), path, `alias *${node.source} refers to a value that contains it (a cycle)`);
        return undefined;
      }
      return this.convert(target, path);
    }
    const cached = this.memo.get(node);
    if (cached) return cached;
    this.open.add(node);
    let out: Node | undefined;
    try {
      out = this.convertNode(node, path);
    } finally {
      this.open.delete(node);
    }
    if (out && (isMap(node) || isSeq(node) || isScalar(node)) && node.anchor) this.memo.set(node, out);
    return out;
  }

  private convertNode(node: unknown, path: string): Node | undefined {
    if (isScalar(node)) return this.convertScalar(node);
    if (isSeq(node)) {
      const pos = this.posAt(node.range?.[0] ?? 0);
      const items: Node[] = [];
      node.items.forEach((item, i) => {
        const converted = item === null ? { kind: 'scalar' as const, value: null, text: '', quoted: false, pos } : this.convert(item, joinPath(path, i));
        if (converted) items.push(converted);
      });
      return this.sized({ kind: 'seq', items, pos, ...this.tagOf(node.tag) });
    }
    if (isMap(node)) {
      const pos = this.posAt(node.range?.[0] ?? 0);
      const own = new Map<string, MapEntry>();
      const merged: MapEntry[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key;
        if (isScalar(keyNode) && keyNode.value === '<<' && keyNode.type === Scalar.PLAIN) {
          merged.push(...this.mergeSources(pair.value, path));
          continue;
        }
        const keyPos = this.posAt(isScalar(keyNode) ? (keyNode.range?.[0] ?? 0) : (node.range?.[0] ?? 0));
        if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
          const shown = isScalar(keyNode) ? String(keyNode.value) : 'a collection';
          this.report('error', keyPos, path, `non-string key in ${path === '' ? 'top level' : path}: ${shown}`);
          continue;
        }
        const key = keyNode.value;
        const value = pair.value === null || pair.value === undefined
          ? { kind: 'scalar' as const, value: null, text: '', quoted: false, pos: keyPos }
          : this.convert(pair.value, joinPath(path, key));
        if (value) own.set(key, { key, keyPos, value });
      }
      // Explicit keys win over merged ones; among merge sources the first one wins.
      const entries = new Map<string, MapEntry>();
      for (const e of merged) if (!own.has(e.key) && !entries.has(e.key)) entries.set(e.key, e);
      for (const [k, e] of own) entries.set(k, e);
      return this.sized({ kind: 'map', entries, pos, ...this.tagOf(node.tag) });
    }
    return undefined;
  }

  private mergeSources(value: unknown, path: string): MapEntry[] {
    const sources = isSeq(value) ? value.items : [value];
    const out: MapEntry[] = [];
    for (const source of sources) {
      const converted = this.convert(source, path);
      if (!converted) continue;
      if (converted.kind !== 'map') {
        this.report('error', converted.pos, path, 'map merge requires map (`<<:` must refer to a mapping or a list of mappings)');
        continue;
      }
      out.push(...converted.entries.values());
    }
    return out;
  }

  private convertScalar(node: Scalar): Node {
    const start = node.range?.[0] ?? 0;
    const pos = this.posAt(start);
    const quoted = node.type !== Scalar.PLAIN;
    const raw: unknown = node.value;
    const value = raw === null || typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean'
      ? raw
      : typeof raw === 'bigint' ? Number(raw) : String(raw);
    const text = quoted || typeof value === 'string' ? String(value ?? '') : this.text.slice(start, node.range?.[1] ?? start).trim();
    return this.sized({ kind: 'scalar', value, text, quoted, pos, ...this.tagOf(node.tag) });
  }

  private tagOf(tag: string | undefined): { tag?: string } {
    return tag && KEPT_TAGS.has(tag) ? { tag } : {};
  }

  private sized<T extends Node>(node: T): T {
    let size = 1;
    if (node.kind === 'seq') for (const i of node.items) size += this.sizes.get(i) ?? 1;
    if (node.kind === 'map') for (const e of node.entries.values()) size += this.sizes.get(e.value) ?? 1;
    this.sizes.set(node, size);
    if (size > MAX_EXPANDED_NODES && !this.aliasBomb) {
      this.aliasBomb = true;
      this.report('error', node.pos, '', `excessive aliasing: this value expands to more than ${MAX_EXPANDED_NODES} nodes`);
    }
    return node;
  }
}
