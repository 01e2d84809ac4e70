#!/usr/bin/env node
// The composed CLI: parse flags, make one request, render the answer. Each command lives in
// commands/<name>.ts and registers itself on the program.
import { Command } from 'commander';
import { registerConfig } from './commands/config.js';
import { registerDaemon } from './commands/daemon.js';
import { registerDown } from './commands/down.js';
import { registerEvents } from './commands/events.js';
import { registerExport } from './commands/export.js';
import { registerLogs } from './commands/logs.js';
import { registerServiceActions } from './commands/service-actions.js';
import { registerStatus } from './commands/status.js';
import { registerSystemd } from './commands/systemd.js';
import { registerUp } from './commands/up.js';
import { readVersion } from './version.js';

export function buildProgram(): Command {
  const program = new Command('composed')
    .description('docker compose that never stops watching: a single-host supervisor for compose files')
    .version(readVersion(), '-v, --version')
    .enablePositionalOptions()
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  registerConfig(program);
  registerDaemon(program);
  registerUp(program);
  registerDown(program);
  registerStatus(program);
  registerLogs(program);
  registerServiceActions(program);
  registerEvents(program);
  registerSystemd(program);
  registerExport(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
