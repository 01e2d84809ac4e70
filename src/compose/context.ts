// What normalization needs besides the tree: diagnostics, the project's identity and directory,
// the interpolation environment, and a way to read the other files a compose file points at.
import { posix } from 'node:path';
import type { Diagnostics, Field, Fields } from './read.js';

/**
 * Reads files by absolute path; undefined when the file does not exist or cannot be read. The pure
 * core only ever reads through this, so tests and the fuzzer can hand it text from memory.
 */
export interface FileReader {
  read(absolutePath: string): string | undefined;
}

export interface NormalizeContext {
  d: Diagnostics;
  projectName: string;
  workingDir: string;
  env: Record<string, string>;
  reader: FileReader;
  /** Absolute paths of the files read besides the compose files (env_file, secrets, ...). */
  dependencyFiles: Set<string>;
}

/** `~` is the user's home (HOME from the environment); relative paths are against the project dir. */
export function resolveHostPath(ctx: NormalizeContext, p: string): string {
  if (p === '~' || p.startsWith('~/')) return posix.join(ctx.env.HOME ?? '/', p.slice(1));
  return posix.resolve(ctx.workingDir, p);
}

/** Warns once per key present that composed accepts but does not act on. */
export function warnIgnored(ctx: NormalizeContext, fields: Fields, reasons: Record<string, string>): void {
  for (const key of Object.keys(reasons).sort()) {
    const f: Field | undefined = fields[key];
    if (f) ctx.d.warn(f.keyPos, f.path, `ignored: ${reasons[key]}`);
  }
}
