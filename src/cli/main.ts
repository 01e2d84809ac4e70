#!/usr/bin/env node
// The composed CLI: parse flags, make one request, render the answer. Each command lives in
// commands/<name>.ts and registers itself on the program.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerConfig } from './commands/config.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('composed')
    .description('docker compose that never stops watching: a single-host supervisor for compose files')
    .version(pkg.version, '-v, --version')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  registerConfig(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
