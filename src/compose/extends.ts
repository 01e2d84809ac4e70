// services.*.extends: a service built on another one from the same project files or another
// file, merged with the override rules. Resolved on the merged tree, before normalization.
import { posix } from 'node:path';
import type { FileReader } from './context.js';
import { interpolateTree } from './interpolate.js';
import { mergeService } from './merge.js';
import { rebaseService } from './rebase.js';
import { fieldsOf, str, type Diagnostics, type Field } from './read.js';
import type { Lookup } from './template.js';
import { joinPath, kindName, type MapEntry, type MapNode, type Node } from './tree.js';
import { parseYaml } from './yaml-tree.js';

interface ExtendsInput {
  workingDir: string;
  reader: FileReader;
}

export function resolveExtends(root: Node, d: Diagnostics, input: ExtendsInput, lookup: Lookup): Node {
  const services = root.kind === 'map' ? root.entries.get('services') : undefined;
  if (!services || services.value.kind !== 'map') return root;
  const local = services.value;
  if (![...local.entries.values()].some((e) => e.value.kind === 'map' && e.value.entries.has('extends'))) return root;
  const resolver = new ExtendsResolver(d, input, lookup);
  const entries = new Map<string, MapEntry>();
  for (const [name, entry] of local.entries) entries.set(name, { ...entry, value: resolver.resolve(local, name, `services.${name}`, '') });
  const newServices: MapNode = { ...local, entries };
  const rootMap = root as MapNode;
  return { ...rootMap, entries: new Map([...rootMap.entries].map(([k, e]) => [k, k === 'services' ? { ...e, value: newServices } : e])) };
}

class ExtendsResolver {
  private readonly files = new Map<string, MapNode | undefined>();
  private readonly resolving = new Set<string>();
  /** Services already reported as part of a cycle, so a cycle is reported once. */
  private readonly inCycle = new Set<string>();

  constructor(private readonly d: Diagnostics, private readonly input: ExtendsInput, private readonly lookup: Lookup) {}

  /** The service `name` of `services` (from `file`, '' for the project) with its extends applied. */
  resolve(services: MapNode, name: string, path: string, file: string): Node {
    const entry = services.entries.get(name)!;
    const node = entry.value;
    if (node.kind !== 'map' || !node.entries.has('extends')) return node;
    const ext = node.entries.get('extends')!;
    const without: MapNode = { ...node, entries: new Map([...node.entries].filter(([k]) => k !== 'extends')) };
    const extField: Field = { node: ext.value, path: joinPath(path, 'extends'), keyPos: ext.keyPos };
    let baseName: string | undefined;
    let baseFile = file;
    if (ext.value.kind === 'scalar' && typeof ext.value.value === 'string') baseName = ext.value.value;
    else {
      const fields = fieldsOf(extField, this.d, ['file', 'service']);
      if (!fields) return without;
      if (!fields.service) {
        this.d.error(ext.value.pos, extField.path, 'extends needs a service');
        return without;
      }
      baseName = str(fields.service, this.d);
      if (fields.file) {
        const f = str(fields.file, this.d);
        if (f === undefined) return without;
        baseFile = posix.resolve(file === '' ? this.input.workingDir : posix.dirname(file), f);
      }
    }
    if (baseName === undefined) return without;
    const key = `${file}\0${name}`;
    if (this.inCycle.has(key)) return without;
    if (this.resolving.has(key)) {
      this.d.error(ext.value.pos, extField.path, `extends cycle: service "${name}" extends itself through "${baseName}"`);
      for (const k of this.resolving) this.inCycle.add(k);
      return without;
    }
    const baseServices = baseFile === file ? services : this.servicesOf(baseFile, extField);
    if (!baseServices) return without;
    if (!baseServices.entries.has(baseName)) {
      this.d.error(ext.value.pos, extField.path, `extends refers to undefined service "${baseName}"${baseFile !== file ? ` in ${baseFile}` : ''}`);
      return without;
    }
    this.resolving.add(key);
    const base = this.resolve(baseServices, baseName, `services.${baseName}`, baseFile);
    this.resolving.delete(key);
    if (base.kind !== 'map') {
      this.d.error(base.pos, `services.${baseName}`, `must be a mapping, not ${kindName(base)}`);
      return without;
    }
    return mergeService(base, without, name);
  }

  private servicesOf(file: string, where: Field): MapNode | undefined {
    if (!this.files.has(file)) this.files.set(file, this.load(file, where));
    return this.files.get(file);
  }

  private load(file: string, where: Field): MapNode | undefined {
    const text = this.input.reader.read(file);
    if (text === undefined) {
      this.d.error(where.node.pos, where.path, `extends file ${file} not found`);
      return undefined;
    }
    const parsed = parseYaml(text, file);
    this.d.list.push(...parsed.diagnostics);
    const root = parsed.roots[0];
    if (!root) return undefined;
    const interpolated = interpolateTree(root, this.lookup);
    this.d.list.push(...interpolated.diagnostics);
    const node = interpolated.node;
    const services = node.kind === 'map' ? node.entries.get('services')?.value : undefined;
    if (services?.kind !== 'map') {
      this.d.error(node.pos, '', `${file} has no services mapping`);
      return undefined;
    }
    // Relative paths in that file belong to its own directory.
    const dir = posix.dirname(file);
    const entries = new Map([...services.entries].map(([k, e]) => [k, { ...e, value: rebaseService(e.value, dir) }]));
    return { ...services, entries };
  }
}
