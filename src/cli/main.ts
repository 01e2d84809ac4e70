#!/usr/bin/env -S node --
// The composed CLI: parse flags, make one request, render the answer. Each command lives in
// commands/<name>.ts; only the module of the verb typed is loaded, so a command that just asks the
// daemon starts in tens of milliseconds. `--` in the shebang keeps Node from reading the user's
// flags (Node 20 takes `--env-file` anywhere on its command line as its own).
import { Command } from 'commander';
import { COMMAND_MODULES, verbOf } from './command-modules.js';
import { addGlobalOptions } from './project-options.js';
import { readVersion } from './version.js';

export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('composed')
    .description('docker compose that never stops watching: a single-host supervisor for compose files')
    .version(readVersion(), '-v, --version')
    .enablePositionalOptions()
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  addGlobalOptions(program);
  program.addHelpText('after', '\nExamples:\n  composed up -d\n  composed -f compose.yaml -p demo ps\n  composed exec web sh\n\nSee `composed COMMAND --help` for each command.');
  const verb = verbOf(argv.slice(2));
  const wanted = verb && COMMAND_MODULES[verb] ? [COMMAND_MODULES[verb]] : [...new Set(Object.values(COMMAND_MODULES))];
  for (const load of wanted) (await load())(program);
  return program;
}

await (await buildProgram(process.argv)).parseAsync(process.argv);
