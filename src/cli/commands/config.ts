// `composed config`: load and validate the compose files here, print the normalized model (or the
// names of the services), or every error with file:line:col. Talks to no daemon. The output format
// is documented in docs/config-format.md; keep the two in step.
import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { ComposeError, formatDiagnostic, type Diagnostic } from '../../compose/errors.js';
import { canonicalJson } from '../../compose/hash.js';
import { loadProject } from '../../compose/load.js';
import type { Project } from '../../compose/model.js';
import { addProjectOptions, mergedOptions, projectCwd } from '../common.js';
import { commandEnvironment } from '../environment.js';

interface ConfigOptions {
  file?: string[];
  projectName?: string;
  profile?: string[];
  format: 'yaml' | 'json';
  services?: boolean;
  quiet?: boolean;
}

export function registerConfig(program: Command): void {
  const config = addProjectOptions(program.command('config'));
  // config never talks to the daemon; its socket option would only confuse the help.
  config.options.find((o) => o.long === '--socket')?.hideHelp();
  config
    .description('validate the compose files and print the normalized model (like `docker compose config`)')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--services', 'print the names of the active services, one per line')
    .option('-q, --quiet', 'only validate: print nothing but warnings and errors')
    .action(async (_options: ConfigOptions, command: Command) => {
      const options = mergedOptions<ConfigOptions>(command);
      const files = options.file?.map((f) => resolve(f));
      process.exitCode = await runConfig({ ...options, file: files }, projectCwd(options), commandEnvironment(options, process.cwd(), process.env), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
    });
}

/** The command without process globals, so tests can run it. Returns the exit code. */
export async function runConfig(
  options: ConfigOptions,
  cwd: string,
  env: Record<string, string | undefined>,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  try {
    const { project, warnings } = await loadProject({
      files: options.file,
      projectName: options.projectName,
      cwd,
      env,
      profiles: options.profile,
    });
    printDiagnostics(warnings, err);
    if (options.quiet) return 0;
    if (options.services) out(Object.keys(project.services).map((s) => `${s}\n`).join(''));
    else out(renderProject(project, options.format));
    return 0;
  } catch (e) {
    if (!(e instanceof ComposeError)) throw e;
    printDiagnostics(e.diagnostics, err);
    return 1;
  }
}

function printDiagnostics(list: Diagnostic[], err: (text: string) => void): void {
  for (const d of list) err(`${formatDiagnostic(d)}\n`);
}

/** Keys sorted at every level, so the output only changes when the model does. */
export function renderProject(project: Project, format: 'yaml' | 'json'): string {
  const canonical: unknown = JSON.parse(canonicalJson(project));
  if (format === 'json') return `${JSON.stringify(canonical, null, 2)}\n`;
  return stringify(canonical, { lineWidth: 0, aliasDuplicateObjects: false });
}
