// The project as this shell sees it: the compose files, --project-directory and --env-file, loaded
// the way the daemon will load them. Only commands that need the file import this module.
import { resolve } from 'node:path';
import { loadProject, type LoadResult } from '../compose/load.js';
import { commandEnvironment } from './environment.js';
import type { ProjectOptions } from './project-options.js';
import type { LoadRequest } from '../protocol/api.js';

/** Where compose files are looked for and relative paths start: --project-directory, else the cwd. */
export function projectCwd(options: ProjectOptions): string {
  return options.projectDirectory ? resolve(options.projectDirectory) : process.cwd();
}

/**
 * The request fields that tell the daemon how to load the project (it reads the files itself).
 * Only the variables the files reference go (the project is loaded here to find them): the rest
 * of this shell, its tokens and keys, is none of the daemon's business. A project that does not
 * load here goes without any, and the daemon's load says what is wrong with it.
 */
export async function loadRequestFor(options: ProjectOptions): Promise<LoadRequest> {
  const request = wholeEnvironmentRequest(options);
  const environment = await loadProject(request).then((loaded) => loaded.environment, () => ({}));
  return { ...request, env: environment };
}

/** Loads the compose project the way the daemon will, from this shell's cwd and environment. */
export async function loadLocal(options: ProjectOptions): Promise<LoadResult> {
  return loadProject(wholeEnvironmentRequest(options));
}

function wholeEnvironmentRequest(options: ProjectOptions): LoadRequest {
  return {
    files: options.file?.map((f) => resolve(f)) ?? [],
    ...(options.projectName !== undefined ? { projectName: options.projectName } : {}),
    cwd: projectCwd(options),
    env: commandEnvironment(options, process.cwd(), process.env),
    profiles: options.profile ?? [],
  };
}
