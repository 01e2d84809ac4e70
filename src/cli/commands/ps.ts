// `composed ps [SERVICE...]`: the project's containers as docker compose lists them, with the same
// columns and JSON field names, so scripts written for compose keep parsing it. composed's own,
// richer view is `composed status`.
import { Command } from 'commander';
import type { ComposeContainer } from '../../protocol/compose-containers.js';
import { action, addProjectOptions, clientFor, projectNameFor, projectPath, UsageError } from '../common.js';
import { repeatable } from '../project-options.js';
import { renderTemplate } from '../render/go-template.js';
import { renderPsTable } from '../render/ps.js';

const STATES = ['paused', 'restarting', 'removing', 'running', 'dead', 'created', 'exited'];

interface PsOptions {
  all?: boolean;
  quiet?: boolean;
  services?: boolean;
  status?: string[];
  filter?: string[];
  format?: string;
  json?: boolean;
}

export function registerPs(program: Command): void {
  addProjectOptions(program.command('ps'))
    .description('list the project\'s containers (running ones; -a for all), as docker compose ps does')
    .argument('[service...]')
    .option('-a, --all', 'also stopped containers')
    .option('-q, --quiet', 'only container ids')
    .option('--services', 'only service names')
    .option('--status <state>', `only containers in this state, repeatable (${STATES.join(', ')})`, repeatable)
    .option('--filter <key=value>', 'filter, repeatable; status=<state> as compose has it', repeatable)
    .option('--format <format>', 'table, json (one object per line, compose\'s field names) or a Go template like {{.Name}}', 'table')
    .option('--json', 'same as --format json')
    .addHelpText('after', `
Examples:
  composed ps
  composed ps -a --format json
  composed ps --status exited -q
  composed ps --format '{{.Name}} {{.Health}}'`)
    .action(
      action<PsOptions>(async (services, options) => {
        const states = [...(options.status ?? []), ...(options.filter ?? []).map(statusFilter)];
        for (const s of states) if (!STATES.includes(s)) throw new UsageError(`--status: ${JSON.stringify(s)} is not a state (${STATES.join(', ')})`);
        const project = await projectNameFor(options);
        const all = await clientFor(options).json<ComposeContainer[]>(projectPath(project, '/containers'));
        for (const s of services) if (!all.some((c) => c.Service === s)) throw new UsageError(`no such service: ${s}`);
        const rows = all.filter(
          (c) =>
            (services.length === 0 || services.includes(c.Service)) &&
            (states.length ? states.includes(c.State) : options.all || c.State === 'running' || c.State === 'restarting' || c.State === 'paused'),
        );
        process.stdout.write(render(rows, options.json ? 'json' : (options.format ?? 'table'), options));
      }),
    );
}

function render(rows: ComposeContainer[], format: string, options: PsOptions): string {
  if (options.services) return [...new Set(rows.map((r) => r.Service))].map((s) => `${s}\n`).join('');
  if (options.quiet) return rows.map((r) => `${r.ID}\n`).join('');
  if (format === 'json') return rows.map((r) => `${JSON.stringify(withoutComposedFields(r))}\n`).join('');
  if (format === 'table') return renderPsTable(rows, Date.now());
  return renderTemplate(format, rows.map(withoutComposedFields));
}

/** compose's fields only (Number, OneOff and ImageID are for composed's own commands). */
function withoutComposedFields(c: ComposeContainer): Omit<ComposeContainer, 'Number' | 'OneOff' | 'ImageID'> {
  const { Number: _number, OneOff: _oneOff, ImageID: _imageId, ...compose } = c;
  return compose;
}

function statusFilter(filter: string): string {
  const match = /^status=(.+)$/.exec(filter);
  if (!match) throw new UsageError(`--filter: ${JSON.stringify(filter)} is not status=<state> (the only filter compose has)`);
  return match[1] as string;
}
