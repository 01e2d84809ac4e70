// Interpolation of a whole document: every string value (never a key) is substituted, extension
// blocks included, as compose-go does. Runs per file, before merging, like compose.
import type { Diagnostic } from './errors.js';
import { substitute, type Lookup } from './template.js';
import { joinPath, type MapEntry, type Node } from './tree.js';

export interface InterpolationResult {
  node: Node;
  diagnostics: Diagnostic[];
}

export function interpolateTree(root: Node, lookup: Lookup): InterpolationResult {
  const diagnostics: Diagnostic[] = [];
  const warnedUnset = new Set<string>();
  // Aliased subtrees are shared; interpolate each once so `$$` is never unescaped twice.
  const memo = new Map<Node, Node>();

  const walk = (node: Node, path: string): Node => {
    const cached = memo.get(node);
    if (cached) return cached;
    let out: Node;
    if (node.kind === 'scalar') {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return node;
      const r = substitute(node.value, lookup);
      if (!r.ok) {
        diagnostics.push({ severity: 'error', file: node.pos.file, line: node.pos.line, column: node.pos.col, path, message: r.error });
        out = node;
      } else {
        for (const name of r.unset) {
          if (warnedUnset.has(name)) continue;
          warnedUnset.add(name);
          diagnostics.push({
            severity: 'warning', file: node.pos.file, line: node.pos.line, column: node.pos.col, path,
            message: `the "${name}" variable is not set, defaulting to a blank string`,
          });
        }
        out = { ...node, value: r.value, text: r.value };
      }
    } else if (node.kind === 'seq') {
      out = { ...node, items: node.items.map((item, i) => walk(item, joinPath(path, i))) };
    } else {
      const entries = new Map<string, MapEntry>();
      for (const [k, e] of node.entries) entries.set(k, { ...e, value: walk(e.value, joinPath(path, k)) });
      out = { ...node, entries };
    }
    memo.set(node, out);
    return out;
  };

  return { node: walk(root, ''), diagnostics };
}
