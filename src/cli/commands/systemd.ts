// `composed systemd`: print the unit that runs the daemon under systemd, or install it.
// Defaults are the system-wide paths (the unit runs as root), whoever prints it.
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { daemonEntryPoint } from '../systemd/entry-point.js';
import { renderUnit, type UnitOptions } from '../systemd/unit.js';
import { action, UsageError } from '../common.js';

export const UNIT_PATH = '/etc/systemd/system/composed.service';

interface SystemdOptions {
  install?: boolean;
  socket: string;
  stateDir: string;
  env: string[];
}

export interface SystemdCommandSeams {
  /** Where --install writes; tests point it elsewhere. */
  unitPath?: string;
}

export function registerSystemd(program: Command, { unitPath = UNIT_PATH }: SystemdCommandSeams = {}): void {
  program
    .command('systemd')
    .description('print the systemd unit for the daemon, or install it with --install')
    .option('--install', `write ${unitPath} (as root) instead of printing`)
    .addOption(new Option('--socket <path>', 'control socket the daemon listens on').default('/run/composed/composed.sock'))
    .addOption(new Option('--state-dir <dir>', 'where the daemon keeps its state').default('/var/lib/composed'))
    .addOption(new Option('-e, --env <NAME=VALUE...>', 'environment for the daemon, e.g. DOCKER_HOST or COMPOSED_LOG_LEVEL (repeatable)').default([]))
    .action(
      action(async (_args, opts: SystemdOptions) => {
        const entry = daemonEntryPoint();
        const unit = render({ ...entry, socket: resolve(opts.socket), stateDir: resolve(opts.stateDir), environment: parseEnv(opts.env) });
        const built = existsSync(entry.cliPath);
        if (!opts.install) {
          if (!built) process.stderr.write(`composed: warning: ${entry.cliPath} does not exist yet; run \`npm run build\` before installing this unit\n`);
          process.stdout.write(unit);
          return;
        }
        if (process.getuid?.() !== 0) throw new UsageError(`writing ${unitPath} needs root; run \`sudo composed systemd --install\`, or print the unit without --install`);
        if (!built) throw new UsageError(`${entry.cliPath} does not exist; run \`npm run build\` first, the unit starts the built daemon`);
        await writeFile(unitPath, unit, { mode: 0o644 });
        process.stdout.write(`wrote ${unitPath}\nstart it now and at every boot with:\n  systemctl daemon-reload && systemctl enable --now composed\n`);
      }),
    );
}

/** renderUnit rejects paths and names systemd would misread; that is the user's input, so say it plainly. */
function render(options: UnitOptions): string {
  try {
    return renderUnit(options);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function parseEnv(assignments: string[]): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env ${assignment}: expected NAME=VALUE`);
    environment[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }
  return environment;
}
