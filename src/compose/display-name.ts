// How a file is named in diagnostics: as docker compose prints it, relative to the project's
// working directory when it lies inside it, else by its absolute path.
import { isAbsolute, relative } from 'node:path';

export function displayName(workingDir: string, path: string): string {
  const rel = relative(workingDir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
