// Top-level `include`: other compose applications loaded as their own models (own project
// directory, own .env, the project environment winning) whose resources are copied into this one.
// Runs on the merged tree, before extends and normalization, recursively, rejecting cycles.
import { posix } from 'node:path';
import type { FileReader } from './context.js';
import { displayName } from './display-name.js';
import { readDotenvFile } from './dotenv.js';
import { layeredEnv } from './env-usage.js';
import { resolveExtends } from './extends.js';
import { interpolateTree } from './interpolate.js';
import { dropResets, mergeDocuments } from './merge.js';
import { fieldsOf, items, str, strOrList, type Diagnostics, type Field } from './read.js';
import { rebaseDocument } from './rebase.js';
import { joinPath, type MapEntry, type MapNode, type Node } from './tree.js';
import { parseYaml } from './yaml-tree.js';

const SECTIONS = ['services', 'networks', 'volumes', 'secrets', 'configs'];

export interface IncludeInput {
  workingDir: string;
  /** The top-level project's directory: diagnostics name every file relative to it, however deep the include. */
  displayDir?: string;
  env: Record<string, string>;
  reader: FileReader;
}

/** The tree with every included model's resources added and `include` removed; `files` lists what was read. */
export function resolveIncludes(root: Node, d: Diagnostics, input: IncludeInput, stack: string[] = []): { node: Node; files: string[] } {
  if (root.kind !== 'map') return { node: root, files: [] };
  const include = root.entries.get('include');
  if (!include) return { node: root, files: [] };
  const files: string[] = [];
  let out: MapNode = { ...root, entries: new Map([...root.entries].filter(([k]) => k !== 'include')) };
  const list = items({ node: include.value, path: 'include', keyPos: include.keyPos }, d) ?? [];
  for (const entry of list) {
    const spec = readEntry(d, entry, input.workingDir);
    if (!spec) continue;
    const cycle = spec.paths.find((p) => stack.includes(p));
    if (cycle) {
      d.error(entry.node.pos, entry.path, `include cycle detected: ${[...stack, cycle].join(' -> ')}`);
      continue;
    }
    const loaded = loadIncluded(d, entry, spec, input, stack);
    if (!loaded) continue;
    files.push(...loaded.files);
    out = addResources(d, out, loaded.node, entry);
  }
  return { node: out, files };
}

interface IncludeSpec {
  paths: string[];
  projectDir: string;
  envFiles: string[];
  /** False when the env files are the implicit .env, which may be missing. */
  envFilesRequired: boolean;
}

function readEntry(d: Diagnostics, entry: Field, base: string): IncludeSpec | undefined {
  let paths: string[] | undefined;
  let projectDir: string | undefined;
  let envFiles: string[] | undefined;
  if (entry.node.kind === 'map') {
    const fields = fieldsOf(entry, d, ['env_file', 'path', 'project_directory']);
    if (!fields) return undefined;
    if (!fields.path) {
      d.error(entry.node.pos, entry.path, 'an include entry needs a path');
      return undefined;
    }
    paths = strOrList(fields.path, d);
    const dir = fields.project_directory ? str(fields.project_directory, d) : undefined;
    if (dir !== undefined) projectDir = posix.resolve(base, dir);
    envFiles = fields.env_file ? strOrList(fields.env_file, d)?.map((f) => posix.resolve(base, f)) : undefined;
  } else {
    const p = str(entry, d);
    paths = p === undefined ? undefined : [p];
  }
  if (!paths || paths.length === 0) return undefined;
  const abs = paths.map((p) => posix.resolve(base, p));
  const dir = projectDir ?? posix.dirname(abs[0]!);
  return { paths: abs, projectDir: dir, envFiles: envFiles ?? [posix.join(dir, '.env')], envFilesRequired: envFiles !== undefined };
}

function loadIncluded(d: Diagnostics, entry: Field, spec: IncludeSpec, input: IncludeInput, stack: string[]): { node: Node; files: string[] } | undefined {
  const files: string[] = [];
  // The included model's own .env gives defaults; the project environment wins.
  const defaults: Record<string, string> = {};
  for (const envFile of spec.envFiles) {
    const text = input.reader.read(envFile);
    if (text === undefined) {
      if (spec.envFilesRequired) d.error(entry.node.pos, entry.path, `env file ${envFile} not found`);
      continue;
    }
    files.push(envFile);
    const parsed = readDotenvFile(text, (k) => input.env[k]);
    if (!parsed.ok) d.error(entry.node.pos, entry.path, `env file ${envFile} line ${parsed.line}: ${parsed.error}`);
    else Object.assign(defaults, parsed.values);
  }
  const env = layeredEnv(input.env, defaults);
  const roots: Node[] = [];
  for (const path of spec.paths) {
    const text = input.reader.read(path);
    if (text === undefined) {
      d.error(entry.node.pos, entry.path, `included file ${path} not found`);
      return undefined;
    }
    files.push(path);
    const parsed = parseYaml(text, displayName(input.displayDir ?? input.workingDir, path));
    d.list.push(...parsed.diagnostics);
    for (const root of parsed.roots) {
      const interpolated = interpolateTree(root, (k) => env[k]);
      d.list.push(...interpolated.diagnostics);
      roots.push(interpolated.node);
    }
  }
  if (roots.length === 0) return undefined;
  const merged = dropResets(roots.slice(1).reduce((acc, next) => mergeDocuments(acc, next), roots[0]!));
  const nested = resolveIncludes(merged, d, { workingDir: spec.projectDir, displayDir: input.displayDir ?? input.workingDir, env, reader: input.reader }, [...stack, ...spec.paths]);
  files.push(...nested.files);
  const extended = resolveExtends(nested.node, d, { workingDir: spec.projectDir, reader: input.reader }, (k) => env[k]);
  return { node: rebaseDocument(extended, spec.projectDir), files };
}

/** Copies the included resources in; a name defined on both sides is an error (compose does not merge them). */
function addResources(d: Diagnostics, into: MapNode, included: Node, entry: Field): MapNode {
  if (included.kind !== 'map') return into;
  const entries = new Map(into.entries);
  for (const section of SECTIONS) {
    const theirs = included.entries.get(section);
    if (!theirs || theirs.value.kind !== 'map') continue;
    const ours = entries.get(section);
    const merged = new Map<string, MapEntry>(ours?.value.kind === 'map' ? ours.value.entries : []);
    for (const [name, e] of theirs.value.entries) {
      if (merged.has(name)) {
        d.error(merged.get(name)!.keyPos, joinPath(section, name), `${section.slice(0, -1)} "${name}" is also defined by the included ${e.keyPos.file}; included resources are not merged`);
        continue;
      }
      merged.set(name, e);
    }
    const pos = ours?.value.pos ?? entry.node.pos;
    entries.set(section, { key: section, keyPos: ours?.keyPos ?? entry.node.pos, value: { kind: 'map', entries: merged, pos } });
  }
  return { ...into, entries };
}
