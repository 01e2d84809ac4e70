// The environment a command loads the project with: this shell's variables over the --env-file
// files (or COMPOSE_ENV_FILES), later files over earlier ones, as docker compose reads them.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ComposeError } from '../compose/errors.js';
import { readDotenvFile } from '../compose/dotenv.js';
import type { ProjectOptions } from './project-options.js';

export function commandEnvironment(options: Pick<ProjectOptions, 'envFile'>, cwd: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const shell = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const files = options.envFile?.length ? options.envFile : (shell.COMPOSE_ENV_FILES ?? '').split(',').map((f) => f.trim()).filter(Boolean);
  const fromFiles: Record<string, string> = {};
  for (const file of files) {
    const path = resolve(cwd, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw fileError(file, 0, `--env-file: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const parsed = readDotenvFile(text, (k) => shell[k] ?? fromFiles[k]);
    if (!parsed.ok) throw fileError(file, parsed.line, `--env-file: ${parsed.error}`);
    Object.assign(fromFiles, parsed.values);
  }
  return { ...fromFiles, ...shell };
}

function fileError(file: string, line: number, message: string): ComposeError {
  return new ComposeError([{ severity: 'error', file, line, column: line > 0 ? 1 : 0, path: '', message }]);
}
