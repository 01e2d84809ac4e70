// The project as this shell sees it: the compose files, --project-directory and --env-file, loaded
// the way the daemon will load them. Only commands that need the file import this module.
import { resolve } from 'node:path';
import { loadProject, type LoadResult } from '../compose/load.js';
import { commandEnvironment } from './environment.js';
import type { ProjectOptions } from './project-options.js';

/** Where compose files are looked for and relative paths start: --project-directory, else the cwd. */
export function projectCwd(options: ProjectOptions): string {
  return options.projectDirectory ? resolve(options.projectDirectory) : process.cwd();
}

/** The request fields that tell the daemon how to load the project (it reads the files itself). */
export function loadRequestFor(options: ProjectOptions): { files: string[]; projectName?: string; cwd: string; env: Record<string, string>; profiles: string[] } {
  return {
    files: options.file?.map((f) => resolve(f)) ?? [],
    ...(options.projectName !== undefined ? { projectName: options.projectName } : {}),
    cwd: projectCwd(options),
    env: commandEnvironment(options, process.cwd(), process.env),
    profiles: options.profile ?? [],
  };
}

/** Loads the compose project the way the daemon will, from this shell's cwd and environment. */
export async function loadLocal(options: ProjectOptions): Promise<LoadResult> {
  const request = loadRequestFor(options);
  return loadProject({ files: request.files, projectName: request.projectName, cwd: request.cwd, env: request.env, profiles: request.profiles });
}
