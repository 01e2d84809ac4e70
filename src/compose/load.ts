// The loader's only contact with the filesystem: finds the compose files like docker compose
// (-f, COMPOSE_FILE, default names in the cwd and its parents, plus the override file), reads the
// .env beside the first file, and hands text to the pure buildProject.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { FileReader } from './context.js';
import { readDotenvFile } from './dotenv.js';
import { displayName } from './display-name.js';
import { EnvUsage } from './env-usage.js';
import { ComposeError, type Diagnostic } from './errors.js';
import { checkRead, type FileAccess } from './file-access.js';
import type { Project } from './model.js';
import { buildProject, type SourceFile } from './project.js';
import type { Node } from './tree.js';
import { mergeUninterpolated } from './uninterpolated.js';

export interface LoadOptions {
  /** -f, in order; empty/undefined -> COMPOSE_FILE, else the default names in cwd then its parents. */
  files?: string[];
  /** -p; else COMPOSE_PROJECT_NAME; else top-level `name:`; else the first file's directory name. */
  projectName?: string;
  cwd: string;
  /** The process environment; .env beside the first file is merged under it. */
  env: Record<string, string | undefined>;
  /** --profile; else COMPOSE_PROFILES. */
  profiles?: string[];
  /** Whose permissions files are read with (the daemon's caller); absent: the process's own. */
  access?: FileAccess;
}

export interface LoadResult {
  project: Project;
  warnings: Diagnostic[];
  /** The variables of `env` the files referenced: all a later load of the same files needs. */
  environment: Record<string, string>;
  /** The merged document with every key's position, for checks made on the model (policy.ts). */
  tree: Node;
}

export const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** Larger files are refused: a compose, env or secret file is never this big; /dev/zero is endless. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** A regular file's text, or why it cannot be read (a directory, a device, too large, EACCES...). */
export function readTextFile(path: string): { text: string } | { error: string; missing: boolean } {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return { error: stat.isDirectory() ? 'it is a directory' : 'it is not a regular file', missing: false };
    if (stat.size > MAX_FILE_BYTES) return { error: `it is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`, missing: false };
    return { text: readFileSync(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === 'ENOENT';
    return { error: missing ? 'no such file' : code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error), missing };
  }
}

export const fsReader: FileReader = {
  read(path: string): string | undefined {
    const read = readTextFile(path);
    return 'text' in read ? read.text : undefined;
  },
};

/** Reads only what `access` allows; a refused file stops the load (FileAccessError). */
function readerFor(access: FileAccess | undefined): FileReader {
  if (!access) return fsReader;
  return {
    read(path: string): string | undefined {
      checkRead(access, path);
      return fsReader.read(path);
    },
  };
}

/** Throws ComposeError carrying every error (and the warnings) when the project is invalid. */
export async function loadProject(opts: LoadOptions): Promise<LoadResult> {
  const usage = new EnvUsage(definedOnly(opts.env));
  const processEnv = usage.view();
  const reader = readerFor(opts.access);
  const files = readComposeFiles(opts, processEnv);
  const workingDir = dirname(files[0]!.path);
  const dotenvPath = join(workingDir, '.env');
  const dotenv = readDotenv(dotenvPath, displayName(opts.cwd, dotenvPath), processEnv, reader);
  const env = usage.view(dotenv.values);
  const profiles = opts.profiles?.length ? opts.profiles : (env.COMPOSE_PROFILES ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  const explicitName = opts.projectName ?? (env.COMPOSE_PROJECT_NAME || undefined);
  const out = buildProject({
    files,
    env,
    workingDir,
    ...(explicitName !== undefined ? { projectName: explicitName } : {}),
    defaultProjectName: basename(workingDir),
    profiles,
    reader,
    dependencyFiles: dotenv.read ? [dotenvPath] : [],
  });
  const diagnostics = [...dotenv.diagnostics, ...out.diagnostics];
  if (!out.project || !out.tree || diagnostics.some((d) => d.severity === 'error')) throw new ComposeError(diagnostics);
  return { project: out.project, warnings: diagnostics, environment: usage.referenced(), tree: out.tree };
}

/** The compose files merged as written, without interpolation (`config --no-interpolate`). */
export function loadUninterpolated(opts: LoadOptions): unknown {
  return mergeUninterpolated(readComposeFiles(opts, new EnvUsage(definedOnly(opts.env)).view()));
}

function readComposeFiles(opts: LoadOptions, env: Record<string, string>): SourceFile[] {
  const files: SourceFile[] = [];
  const missing: Diagnostic[] = [];
  for (const { path, name } of composeFiles(opts, env)) {
    checkRead(opts.access, path);
    const read = readTextFile(path);
    if ('error' in read) missing.push(fileError(name, `cannot read compose file ${path}${read.missing ? '' : `: ${read.error}`}`));
    else files.push({ path, name, text: read.text });
  }
  if (missing.length > 0) throw new ComposeError(missing);
  return files;
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function composeFiles(opts: LoadOptions, env: Record<string, string>): Array<{ path: string; name: string }> {
  const named = (list: string[]): Array<{ path: string; name: string }> =>
    list.map((f) => ({ path: resolve(opts.cwd, f), name: isAbsolute(f) ? displayName(opts.cwd, f) : f }));
  if (opts.files && opts.files.length > 0) return named(opts.files);
  if (env.COMPOSE_FILE) {
    const sep = env.COMPOSE_PATH_SEPARATOR || ':';
    return named(env.COMPOSE_FILE.split(sep).filter((f) => f !== ''));
  }
  for (let dir = resolve(opts.cwd); ; dir = dirname(dir)) {
    const found = DEFAULT_FILE_NAMES.find((n) => isFile(join(dir, n)));
    if (found) {
      const base = join(dir, found);
      const stem = found.replace(/\.ya?ml$/, '');
      // compose.yaml brings compose.override.yaml (or .yml) along, as docker compose does.
      const override = [`${stem}.override.yaml`, `${stem}.override.yml`].map((n) => join(dir, n)).find(isFile);
      return [base, ...(override ? [override] : [])].map((p) => ({ path: p, name: displayName(opts.cwd, p) }));
    }
    if (dirname(dir) === dir) break;
  }
  throw new ComposeError([fileError('', `no compose file found in ${opts.cwd} or its parents (looked for ${DEFAULT_FILE_NAMES.join(', ')}); use -f FILE`)]);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Relative to the cwd when the file is under it, else absolute. */
function readDotenv(path: string, name: string, processEnv: Record<string, string>, reader: FileReader): { values: Record<string, string>; diagnostics: Diagnostic[]; read: boolean } {
  const text = isFile(path) ? reader.read(path) : undefined;
  if (text === undefined) return { values: {}, diagnostics: [], read: false };
  const parsed = readDotenvFile(text, (k) => processEnv[k]);
  if (!parsed.ok) return { values: {}, diagnostics: [{ severity: 'error', file: name, line: parsed.line, column: 1, path: '', message: parsed.error }], read: true };
  return { values: parsed.values, diagnostics: [], read: true };
}

function fileError(file: string, message: string): Diagnostic {
  return { severity: 'error', file, line: 0, column: 0, path: '', message };
}
