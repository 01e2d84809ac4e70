// The pure loader: compose file texts + environment -> validated, normalized Project, or every
// diagnostic at once. No filesystem (other files are read through a FileReader), no Docker, no clock.
import { warnIgnored, type FileReader, type NormalizeContext } from './context.js';
import type { Diagnostic } from './errors.js';
import { resolveExtends } from './extends.js';
import { resolveIncludes } from './include.js';
import { interpolateTree } from './interpolate.js';
import { TOP_LEVEL_KEYS } from './keys.js';
import { dropResets, mergeDocuments } from './merge.js';
import type { FileObject, Network, Project, Volume } from './model.js';
import { Diagnostics, field, fieldsOf, plainExtensions, str, type Field } from './read.js';
import { readProjectExtension } from './project-extension.js';
import { normalizeFileObject, normalizeNetwork, normalizeVolume, sectionEntries } from './resources.js';
import { normalizeService, type Declared, type NormalizedService } from './service.js';
import { kindName, NO_POS, type Node } from './tree.js';
import { validateServices } from './validate.js';
import { parseYaml } from './yaml-tree.js';

export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** The name diagnostics show (as the user named the file). */
  name: string;
  text: string;
}

export interface ProjectInput {
  /** Compose files in merge order; the first one's directory is the project directory. */
  files: SourceFile[];
  /** Interpolation environment: the process environment over the .env file. */
  env: Record<string, string>;
  workingDir: string;
  /** -p or COMPOSE_PROJECT_NAME; wins over the top-level `name:`. */
  projectName?: string;
  /** Fallback when neither an explicit nor a top-level name is given (normally the directory name). */
  defaultProjectName?: string;
  /** Active profiles; "*" activates all. */
  profiles: string[];
  reader: FileReader;
  /** Files already read to build `env` (the .env file), listed in Project.dependencyFiles. */
  dependencyFiles?: string[];
}

export interface ProjectOutput {
  /** Undefined when there is at least one error. */
  project?: Project;
  /** The document after merging, includes and extends, positions kept; with the project. */
  tree?: Node;
  /** Errors and warnings, in file order then position. */
  diagnostics: Diagnostic[];
}

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const SERVICE_NAME = /^[a-zA-Z0-9._-]+$/;

export function buildProject(input: ProjectInput): ProjectOutput {
  const d = new Diagnostics();
  const lookup = (name: string): string | undefined => input.env[name];
  const roots: Node[] = [];
  for (const file of input.files) {
    const parsed = parseYaml(file.text, file.name);
    d.list.push(...parsed.diagnostics);
    if (parsed.roots.length === 0 && !parsed.diagnostics.some((x) => x.severity === 'error')) {
      d.error({ file: file.name, line: 0, col: 0 }, '', 'empty compose file');
    }
    for (const root of parsed.roots) {
      if (root.kind !== 'map') {
        d.error(root.pos, '', `top-level object must be a mapping, not ${kindName(root)}`);
        continue;
      }
      const interpolated = interpolateTree(root, lookup);
      d.list.push(...interpolated.diagnostics);
      roots.push(interpolated.node);
    }
  }
  if (roots.length === 0) return finish(d, input);
  const merged = dropResets(roots.slice(1).reduce((acc, next) => mergeDocuments(acc, next), roots[0]!));
  const included = resolveIncludes(merged, d, input, input.files.map((f) => f.path));
  const rootField = field(resolveExtends(included.node, d, input, lookup), '');
  const top = fieldsOf(rootField, d, TOP_LEVEL_KEYS);
  if (!top) return finish(d, input);
  if (top.version) d.warn(top.version.keyPos, 'version', 'the top-level version is obsolete and ignored');

  const projectName = resolveProjectName(d, input, top.name);
  const ctx: NormalizeContext = {
    d,
    projectName: projectName ?? 'invalid',
    workingDir: input.workingDir,
    env: input.env,
    reader: input.reader,
    dependencyFiles: new Set([...(input.dependencyFiles ?? []), ...included.files]),
  };
  warnIgnored(ctx, top, { models: 'AI models are not provisioned' });
  const extension = rootField.node.kind === 'map' ? readProjectExtension(d, rootField.node) : {};

  const sections = {
    networks: sectionEntries(ctx, top.networks),
    volumes: sectionEntries(ctx, top.volumes),
    secrets: sectionEntries(ctx, top.secrets),
    configs: sectionEntries(ctx, top.configs),
    services: sectionEntries(ctx, top.services),
  };
  const declared: Declared = {
    networks: new Set(sections.networks.map(([k]) => k)),
    volumes: new Set(sections.volumes.map(([k]) => k)),
    secrets: new Set(sections.secrets.map(([k]) => k)),
    configs: new Set(sections.configs.map(([k]) => k)),
    services: new Set(sections.services.map(([k]) => k)),
  };
  const networks = collect(sections.networks, (k, f) => normalizeNetwork(ctx, k, f));
  const volumes = collect(sections.volumes, (k, f) => normalizeVolume(ctx, k, f));
  const secrets = collect(sections.secrets, (k, f) => normalizeFileObject(ctx, k, f, 'secret'));
  const configs = collect(sections.configs, (k, f) => normalizeFileObject(ctx, k, f, 'config'));

  if (!top.services) d.warn(rootField.node.pos, '', 'no services defined');
  const everyProfile = input.profiles.includes('*');
  const active = new Map<string, NormalizedService>();
  const disabled = new Set<string>();
  for (const [name, f] of sections.services) {
    if (!SERVICE_NAME.test(name)) {
      d.error(f.keyPos, f.path, `service name ${JSON.stringify(name)} may only contain letters, digits, ".", "_" and "-"`);
      continue;
    }
    const normalized = normalizeService(ctx, name, f, declared);
    if (!normalized) continue;
    const profiles = normalized.service.profiles;
    if (profiles.length === 0 || everyProfile || profiles.some((p) => input.profiles.includes(p))) active.set(name, normalized);
    else disabled.add(name);
  }
  validateServices(d, active, disabled);

  const usesDefault = [...active.values()].some(({ service }) => 'default' in service.networks);
  if (usesDefault && !networks.default) {
    networks.default = { name: `${ctx.projectName}_default`, external: false, driverOpts: {}, internal: false, attachable: false, enableIpv6: false, labels: {} };
  }
  if (d.hasErrors || projectName === undefined) return finish(d, input);
  const project: Project = {
    name: projectName,
    workingDir: input.workingDir,
    configFiles: input.files.map((f) => f.path),
    dependencyFiles: [...ctx.dependencyFiles].sort(),
    profiles: [...input.profiles].sort(),
    services: Object.fromEntries([...active.keys()].sort().map((k) => [k, active.get(k)!.service])),
    disabledServices: [...disabled].sort(),
    networks: sorted(networks),
    volumes: sorted(volumes),
    secrets: sorted(secrets),
    configs: sorted(configs),
    extensions: plainExtensions(rootField),
    ...(extension.notify && extension.notify.length > 0 ? { notify: extension.notify } : {}),
    ...(extension.update ? { update: extension.update } : {}),
  };
  return { project, tree: rootField.node, diagnostics: sortDiagnostics(d.list, input) };
}

function collect<T extends Network | Volume | FileObject>(entries: Array<[string, Field]>, read: (key: string, f: Field) => T | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, f] of entries) {
    const v = read(k, f);
    if (v) out[k] = v;
  }
  return out;
}

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]!]));
}

/** -p / COMPOSE_PROJECT_NAME, else top-level name, else the directory name made valid. */
function resolveProjectName(d: Diagnostics, input: ProjectInput, nameField: Field | undefined): string | undefined {
  const topLevel = nameField ? str(nameField, d) : undefined;
  // Name problems that are not in a file are shown against the first file, the project's anchor.
  const noPos = { ...NO_POS, file: input.files[0]?.name ?? '' };
  if (input.projectName !== undefined) {
    if (PROJECT_NAME.test(input.projectName)) return input.projectName;
    d.error(noPos, '', `project name ${JSON.stringify(input.projectName)} is invalid: it must contain only lowercase letters, digits, "_" and "-", and start with a letter or digit`);
    return undefined;
  }
  if (topLevel !== undefined) {
    if (PROJECT_NAME.test(topLevel)) return topLevel;
    d.error(nameField!.node.pos, 'name', `project name ${JSON.stringify(topLevel)} is invalid: it must contain only lowercase letters, digits, "_" and "-", and start with a letter or digit`);
    return undefined;
  }
  if (nameField) return undefined;
  const fromDir = normalizeProjectName(input.defaultProjectName ?? '');
  if (fromDir !== '') return fromDir;
  d.error(noPos, '', 'project name must not be empty: set a top-level name, -p or COMPOSE_PROJECT_NAME');
  return undefined;
}

/** A directory name as a project name: lower-cased, only [a-z0-9_-], starting with a letter or digit. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}

function finish(d: Diagnostics, input: ProjectInput): ProjectOutput {
  return { diagnostics: sortDiagnostics(d.list, input) };
}

function sortDiagnostics(list: Diagnostic[], input: ProjectInput): Diagnostic[] {
  const order = new Map(input.files.map((f, i) => [f.name, i]));
  const rank = (x: Diagnostic): number => order.get(x.file) ?? (x.file === '' ? -1 : input.files.length);
  return [...list].sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.path.localeCompare(b.path));
}
