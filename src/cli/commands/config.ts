// `composed config`: load and validate the compose files here and print the project as a compose
// file (what docker compose config prints), or one of its lists, or every error with
// file:line:col. Talks to no daemon. docs/config-format.md describes the output; keep them in step.
import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { ComposeError, formatDiagnostic, type Diagnostic } from '../../compose/errors.js';
import { canonicalJson, serviceConfigHash } from '../../compose/hash.js';
import { loadProject, loadUninterpolated, type LoadOptions } from '../../compose/load.js';
import type { Project } from '../../compose/model.js';
import { projectToCompose } from '../../compose/to-compose.js';
import { addProjectOptions, mergedOptions } from '../common.js';
import { projectCwd } from '../local-project.js';
import { commandEnvironment } from '../environment.js';

export interface ConfigOptions {
  file?: string[];
  projectName?: string;
  profile?: string[];
  format: 'yaml' | 'json';
  services?: boolean;
  volumes?: boolean;
  profiles?: boolean;
  images?: boolean;
  hash?: string;
  quiet?: boolean;
  interpolate?: boolean;
  output?: string;
  model?: boolean;
}

export function registerConfig(program: Command): void {
  const config = addProjectOptions(program.command('config'));
  // config never talks to the daemon; its socket option would only confuse the help.
  config.options.find((o) => o.long === '--socket')?.hideHelp();
  config
    .description('validate the compose files and print the project as a compose file (like `docker compose config`)')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--services', 'print the names of the active services, one per line')
    .option('--volumes', 'print the names of the top-level volumes, one per line')
    .option('--profiles', 'print every profile a service of the file names, one per line')
    .option('--images', 'print the image of each active service, one per line')
    .option('--hash <service>', 'print "<service> <config hash>" for a service, a comma-separated list, or * for all')
    .option('-q, --quiet', 'only validate: print nothing but warnings and errors')
    .option('--no-interpolate', 'print the files merged as written, ${VAR} kept (validated all the same; short syntax, include and extends as written)')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--model', 'print composed\'s internal model instead (docs/config-format.md)')
    .addHelpText('after', `
Examples:
  composed config > out.yaml && composed -f out.yaml config --hash '*'
  composed config --services
  composed -f compose.yaml -f prod.yaml config --format json -o merged.json`)
    .action(async (_options: ConfigOptions, command: Command) => {
      const options = mergedOptions<ConfigOptions>(command);
      const out = options.output ? (text: string) => writeFileSync(resolve(options.output!), text) : (text: string) => process.stdout.write(text);
      try {
        const env = commandEnvironment(options, process.cwd(), process.env);
        process.exitCode = await runConfig({ ...options, file: options.file?.map((f) => resolve(f)) }, projectCwd(options), env, out, (s) => process.stderr.write(s));
      } catch (e) {
        if (!(e instanceof ComposeError)) throw e;
        printDiagnostics(e.diagnostics, (s) => process.stderr.write(s));
        process.exitCode = 1;
      }
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
  const load: LoadOptions = { files: options.file, projectName: options.projectName, cwd, env, profiles: options.profile };
  try {
    const { project, warnings } = await loadProject(load);
    printDiagnostics(warnings, err);
    if (options.quiet) return 0;
    if (options.hash !== undefined) {
      const wanted = options.hash === '*' ? Object.keys(project.services) : options.hash.split(',').map((s) => s.trim());
      const missing = wanted.filter((s) => !project.services[s]);
      if (missing.length) {
        err(`composed: --hash: no such service: ${missing.join(', ')}\n`);
        return 1;
      }
      out(wanted.map((s) => `${s} ${serviceConfigHash(project.services[s]!)}\n`).join(''));
    } else if (options.services) out(lines(Object.keys(project.services)));
    else if (options.volumes) out(lines(Object.keys(project.volumes)));
    else if (options.images) out(lines(Object.values(project.services).map((s) => s.image)));
    else if (options.profiles) out(lines(await everyProfile(load)));
    else if (options.model) out(renderProject(project, options.format));
    else if (options.interpolate === false) out(renderDocument(loadUninterpolated(load), options.format));
    else out(renderCompose(project, options.format));
    return 0;
  } catch (e) {
    if (!(e instanceof ComposeError)) throw e;
    printDiagnostics(e.diagnostics, err);
    return 1;
  }
}

/** Profiles of every service, active or not: the file loaded once more with all of them on. */
async function everyProfile(load: LoadOptions): Promise<string[]> {
  const { project } = await loadProject({ ...load, profiles: ['*'] });
  return [...new Set(Object.values(project.services).flatMap((s) => s.profiles))].sort();
}

function lines(items: string[]): string {
  return items.map((i) => `${i}\n`).join('');
}

function printDiagnostics(list: Diagnostic[], err: (text: string) => void): void {
  for (const d of list) err(`${formatDiagnostic(d)}\n`);
}

/** The project as a compose file: docker compose and composed load it back to the same model. */
export function renderCompose(project: Project, format: 'yaml' | 'json'): string {
  return renderDocument(projectToCompose(project), format);
}

function renderDocument(doc: unknown, format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** composed's model, keys sorted at every level, so the output only changes when the model does. */
export function renderProject(project: Project, format: 'yaml' | 'json'): string {
  const canonical: unknown = JSON.parse(canonicalJson(project));
  if (format === 'json') return `${JSON.stringify(canonical, null, 2)}\n`;
  return stringify(canonical, { lineWidth: 0, aliasDuplicateObjects: false });
}
