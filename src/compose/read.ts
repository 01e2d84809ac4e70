// Typed reads from the positioned tree. Each reader reports a precise diagnostic and returns
// undefined on a bad value, so normalization goes on and every mistake in a file is reported at once.
import type { Diagnostic } from './errors.js';
import { closest } from './suggest.js';
import { joinPath, kindName, toPlain, type MapNode, type Node, type Pos, type ScalarNode } from './tree.js';
import { parseBytes, parseDuration } from './units.js';

export class Diagnostics {
  readonly list: Diagnostic[] = [];

  error(pos: Pos, path: string, message: string): void {
    this.list.push({ severity: 'error', file: pos.file, line: pos.line, column: pos.col, path, message });
  }

  warn(pos: Pos, path: string, message: string): void {
    this.list.push({ severity: 'warning', file: pos.file, line: pos.line, column: pos.col, path, message });
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }
}

/** A value in the tree with where it is: what every reader takes. */
export interface Field {
  node: Node;
  path: string;
  /** Position of the key that holds the value (the value's own position for list items). */
  keyPos: Pos;
}

export type Fields = Record<string, Field | undefined>;

export function field(node: Node, path: string, keyPos: Pos = node.pos): Field {
  return { node, path, keyPos };
}

export function asMap(f: Field, d: Diagnostics): MapNode | undefined {
  if (f.node.kind === 'map') return f.node;
  d.error(f.node.pos, f.path, `must be a mapping, not ${kindName(f.node)}`);
  return undefined;
}

/**
 * The entries of a mapping, checking every key against `known`. Unknown keys are errors with a
 * "did you mean" for near misses; `x-*` keys are always allowed (the caller collects them).
 */
export function fieldsOf(f: Field, d: Diagnostics, known: readonly string[]): Fields | undefined {
  const map = asMap(f, d);
  if (!map) return undefined;
  const out: Fields = {};
  for (const [key, entry] of map.entries) {
    const path = joinPath(f.path, key);
    if (key.startsWith('x-')) continue;
    if (!known.includes(key)) {
      const hint = closest(key, known);
      d.error(entry.keyPos, path, `unknown key "${key}"${hint ? `, did you mean "${hint}"?` : ''}`);
      continue;
    }
    out[key] = { node: entry.value, path, keyPos: entry.keyPos };
  }
  return out;
}

/** `x-*` entries of a mapping, verbatim. */
export function extensionsOf(f: Field): Record<string, Node> {
  const out: Record<string, Node> = {};
  if (f.node.kind !== 'map') return out;
  for (const [key, entry] of [...f.node.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (key.startsWith('x-')) out[key] = entry.value;
  }
  return out;
}

/** `x-*` entries of a mapping as plain values, for the model's `extensions` fields. */
export function plainExtensions(f: Field, except: readonly string[] = []): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(extensionsOf(f))
      .filter(([k]) => !except.includes(k))
      .map(([k, v]) => [k, toPlain(v)]),
  );
}

export function items(f: Field, d: Diagnostics): Field[] | undefined {
  if (f.node.kind !== 'seq') {
    d.error(f.node.pos, f.path, `must be a list, not ${kindName(f.node)}`);
    return undefined;
  }
  return f.node.items.map((node, i) => field(node, joinPath(f.path, i)));
}

function scalarOf(f: Field): ScalarNode | undefined {
  return f.node.kind === 'scalar' ? f.node : undefined;
}

export function str(f: Field, d: Diagnostics): string | undefined {
  const s = scalarOf(f);
  if (s && typeof s.value === 'string') return s.value;
  d.error(f.node.pos, f.path, `must be a string, not ${kindName(f.node)}`);
  return undefined;
}

/** A string, number or boolean as text (label values, environment values, ...). */
export function scalarText(f: Field, d: Diagnostics, what = 'a string, number or boolean'): string | undefined {
  const s = scalarOf(f);
  if (s && s.value !== null) return s.text;
  d.error(f.node.pos, f.path, `must be ${what}, not ${kindName(f.node)}`);
  return undefined;
}

/** An integer, written as a number or (after interpolation) as a string of digits. */
export function int(f: Field, d: Diagnostics, opts: { min?: number } = {}): number | undefined {
  const s = scalarOf(f);
  let n: number | undefined;
  if (s && typeof s.value === 'number') n = s.value;
  else if (s && typeof s.value === 'string' && /^[-+]?\d+$/.test(s.value.trim())) n = Number(s.value);
  if (n === undefined || !Number.isInteger(n)) {
    d.error(f.node.pos, f.path, `must be an integer, not ${kindName(f.node)}`);
    return undefined;
  }
  if (opts.min !== undefined && n < opts.min) {
    d.error(f.node.pos, f.path, `must be greater than or equal to ${opts.min}, not ${n}`);
    return undefined;
  }
  return n;
}

/** A number (integer or decimal), also from a numeric string. */
export function num(f: Field, d: Diagnostics, opts: { min?: number } = {}): number | undefined {
  const s = scalarOf(f);
  let n: number | undefined;
  if (s && typeof s.value === 'number') n = s.value;
  else if (s && typeof s.value === 'string' && s.value.trim() !== '' && Number.isFinite(Number(s.value))) n = Number(s.value);
  if (n === undefined) {
    d.error(f.node.pos, f.path, `must be a number, not ${kindName(f.node)}`);
    return undefined;
  }
  if (opts.min !== undefined && n < opts.min) {
    d.error(f.node.pos, f.path, `must be greater than or equal to ${opts.min}, not ${n}`);
    return undefined;
  }
  return n;
}

const TRUE = new Set(['true', 'True', 'TRUE', '1', 't', 'T']);
const FALSE = new Set(['false', 'False', 'FALSE', '0', 'f', 'F']);

/** A boolean; strings are read the way Go's strconv.ParseBool reads them (interpolated values). */
export function bool(f: Field, d: Diagnostics): boolean | undefined {
  const s = scalarOf(f);
  if (s && typeof s.value === 'boolean') return s.value;
  if (s && typeof s.value === 'string') {
    if (TRUE.has(s.value)) return true;
    if (FALSE.has(s.value)) return false;
  }
  d.error(f.node.pos, f.path, `must be a boolean (true or false), not ${kindName(f.node)}`);
  return undefined;
}

export function oneOf<T extends string>(f: Field, d: Diagnostics, values: readonly T[]): T | undefined {
  const v = str(f, d);
  if (v === undefined) return undefined;
  if ((values as readonly string[]).includes(v)) return v as T;
  const hint = closest(v, values);
  d.error(f.node.pos, f.path, `${JSON.stringify(v)} is not one of ${values.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`);
  return undefined;
}

export function strList(f: Field, d: Diagnostics): string[] | undefined {
  const list = items(f, d);
  if (!list) return undefined;
  const out: string[] = [];
  for (const item of list) {
    const v = str(item, d);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** A string or a list of strings (dns, tmpfs, env_file, profiles in some places). */
export function strOrList(f: Field, d: Diagnostics): string[] | undefined {
  if (f.node.kind === 'scalar' && typeof f.node.value === 'string') return [f.node.value];
  if (f.node.kind === 'seq') return strList(f, d);
  d.error(f.node.pos, f.path, `must be a string or a list of strings, not ${kindName(f.node)}`);
  return undefined;
}

export interface DictEntry {
  value: string | null;
  field: Field;
}

/**
 * A list of `KEY=VALUE` strings or a mapping (environment, labels, build args, sysctls, ...).
 * `null` means "KEY" alone or `KEY:` with no value. Keys keep their first position.
 */
export function listOrDict(f: Field, d: Diagnostics, opts: { separator?: string } = {}): Map<string, DictEntry> | undefined {
  const sep = opts.separator ?? '=';
  const out = new Map<string, DictEntry>();
  if (f.node.kind === 'map') {
    for (const [key, entry] of f.node.entries) {
      const item = field(entry.value, joinPath(f.path, key), entry.keyPos);
      if (entry.value.kind === 'scalar' && entry.value.value === null) {
        out.set(key, { value: null, field: item });
        continue;
      }
      const v = scalarText(item, d, 'a string, number, boolean or null');
      if (v !== undefined) out.set(key, { value: v, field: item });
    }
    return out;
  }
  if (f.node.kind === 'seq') {
    f.node.items.forEach((node, i) => {
      const item = field(node, joinPath(f.path, i));
      const text = str(item, d);
      if (text === undefined) return;
      const at = text.indexOf(sep);
      const key = at < 0 ? text : text.slice(0, at);
      if (key === '') {
        d.error(node.pos, item.path, `${JSON.stringify(text)} has no name before "${sep}"`);
        return;
      }
      out.set(key, { value: at < 0 ? null : text.slice(at + sep.length), field: item });
    });
    return out;
  }
  d.error(f.node.pos, f.path, `must be a mapping or a list of "KEY${sep}VALUE" strings, not ${kindName(f.node)}`);
  return undefined;
}

export function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
  return out;
}

/** A Go duration string ("1m30s", "500ms") in milliseconds; negative durations are errors. */
export function durationMs(f: Field, d: Diagnostics): number | undefined {
  const s = scalarOf(f);
  const ms = s && typeof s.value === 'string' ? parseDuration(s.value.trim()) : undefined;
  if (ms === undefined || ms < 0) {
    d.error(f.node.pos, f.path, `${kindName(f.node)} is not a duration (expected e.g. 10s, 1m30s, 500ms, 2h)`);
    return undefined;
  }
  return ms;
}

/** A byte size (512m, 1.5g, 1024) in bytes. */
export function bytes(f: Field, d: Diagnostics): number | undefined {
  const s = scalarOf(f);
  const n = s && (typeof s.value === 'string' || typeof s.value === 'number') ? parseBytes(s.value) : undefined;
  if (n === undefined) {
    d.error(f.node.pos, f.path, `${kindName(f.node)} is not a size (expected bytes or a number with a unit: 512m, 1.5g, 640k)`);
    return undefined;
  }
  return n;
}
