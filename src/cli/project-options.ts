// The project flags docker compose takes before the verb (`composed -f a.yaml -p demo up`) and,
// as composed always has, after it. Repeatable flags take one value each, so `up -f x.yaml web`
// reads `web` as a service, never as a second file.
import { Command, Option } from 'commander';
import { defaultSocketPath } from '../protocol/api.js';

export interface SocketOptions {
  socket: string;
}

export interface ProjectOptions extends SocketOptions {
  file?: string[];
  projectName?: string;
  projectDirectory?: string;
  profile?: string[];
  envFile?: string[];
}

/** Commander's collector for a flag given several times. */
export function repeatable(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function socketOption(): Option {
  return new Option('--socket <path>', 'control socket of the daemon').env('COMPOSED_SOCKET').default(defaultSocketPath({ ...process.env, COMPOSED_SOCKET: undefined }));
}

/** The flags compose accepts before the verb. --ansi and --progress are accepted for scripts' sake. */
export function addGlobalOptions(program: Command): Command {
  return addFileOptions(program)
    .addOption(new Option('--ansi <when>', 'colour control characters (NO_COLOR/FORCE_COLOR also work)').choices(['never', 'always', 'auto']))
    .addOption(new Option('--progress <type>', 'accepted for compatibility; progress is always printed as plain lines').choices(['auto', 'tty', 'plain', 'json', 'quiet']));
}

/** -f, -p, --project-directory, --profile, --env-file and --socket. `logs` keeps -f for --follow (as docker compose logs does), so it has only --file. */
export function addProjectOptions(command: Command, { shortFile = true, shortProject = true } = {}): Command {
  return addFileOptions(command, shortFile, shortProject).addOption(socketOption());
}

/** `run` keeps -p for --publish, as docker compose run does: there the project is `--project-name` (or -p before the verb). */
function addFileOptions(command: Command, shortFile = true, shortProject = true): Command {
  return command
    .option(`${shortFile ? '-f, ' : ''}--file <file>`, 'compose file, repeat to merge several in order (default: compose.yaml etc., or COMPOSE_FILE)', repeatable)
    .option(`${shortProject ? '-p, ' : ''}--project-name <name>`, 'project name (default: COMPOSE_PROJECT_NAME, `name:` or the directory name)')
    .option('--project-directory <dir>', 'where to look for the compose file when no -f is given (default: the current directory)')
    .option('--profile <profile>', 'activate a profile, repeatable (default: COMPOSE_PROFILES)', repeatable)
    .option('--env-file <file>', 'read variables from this file as well, repeatable (default: COMPOSE_ENV_FILES)', repeatable);
}

/** The command's own flags over the ones given before the verb; repeated flags from both add up. */
export function mergedOptions<T extends object>(command: Command): T & ProjectOptions {
  const chain: Command[] = [];
  for (let c: Command | null = command; c; c = c.parent) chain.unshift(c);
  const merged: Record<string, unknown> = {};
  for (const c of chain) {
    for (const [key, value] of Object.entries(c.opts())) {
      if (value === undefined) continue;
      const before = merged[key];
      merged[key] = Array.isArray(before) && Array.isArray(value) ? [...before, ...value] : value;
    }
  }
  return merged as T & ProjectOptions;
}
