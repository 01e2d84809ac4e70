// The positioned document tree the loader works on between YAML and the model. Every node keeps the
// file, line and column it came from, so errors found after interpolation and merging still point
// at the text the user wrote (in the file that contributed the value).

export interface Pos {
  /** File name as shown to the user. */
  file: string;
  /** 1-based; 0 when the value has no place in a file. */
  line: number;
  col: number;
}

export interface ScalarNode {
  kind: 'scalar';
  /** The YAML core-schema value (strings after interpolation). */
  value: string | number | boolean | null;
  /** The text as written for plain scalars (so `1.10` stays `1.10`), the value for quoted ones. */
  text: string;
  /** True when the scalar was quoted or a block scalar, i.e. certainly a string. */
  quoted: boolean;
  pos: Pos;
  tag?: string;
}

export interface MapEntry {
  key: string;
  keyPos: Pos;
  value: Node;
}

export interface MapNode {
  kind: 'map';
  /** Insertion order is document order. */
  entries: Map<string, MapEntry>;
  pos: Pos;
  tag?: string;
}

export interface SeqNode {
  kind: 'seq';
  items: Node[];
  pos: Pos;
  tag?: string;
}

export type Node = ScalarNode | MapNode | SeqNode;

export const NO_POS: Pos = { file: '', line: 0, col: 0 };

export function scalar(value: ScalarNode['value'], pos: Pos, quoted = typeof value === 'string'): ScalarNode {
  return { kind: 'scalar', value, text: value === null ? '' : String(value), quoted, pos };
}

/** Key path segment: `a.b`, `a[1]`, and keys with dots or spaces quoted as compose prints them. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** The node as plain data (extension blocks are kept verbatim in the model). */
export function toPlain(node: Node): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, e] of node.entries) out[k] = toPlain(e.value);
      return out;
    }
  }
}

/** How the node is described in "must be a ..." messages. */
export function kindName(node: Node): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  if (node.value === null) return 'null';
  if (typeof node.value === 'string') return `the string ${JSON.stringify(node.value)}`;
  return `${typeof node.value === 'boolean' ? 'the boolean' : 'the number'} ${node.text}`;
}
