// `composed up --dry-run` and `composed diff`: print the plan loading the files would execute
// (services whose config changed and the keys that changed, replicas to create, replace or remove,
// networks and volumes to create), touching nothing. Exit 0 when nothing would change, 1 when
// something would, like diff(1). `up --dry-run` decides as `up` does; `diff` as the daemon's file
// watcher does on an edit (services stopped with `composed stop` stay stopped, a config that was
// rolled back is not retried).
import { Command } from 'commander';
import { formatDiagnostic } from '../../compose/errors.js';
import type { PreviewResponse } from '../../protocol/preview.js';
import { action, addProjectOptions, clientFor, UsageError, type ProjectOptions } from '../common.js';
import { loadLocal, loadRequestFor } from '../local-project.js';

interface DiffOptions extends ProjectOptions {
  json?: boolean;
}

export function registerDiff(program: Command): void {
  addProjectOptions(program.command('diff'))
    .description('what an edit of the compose files would change once the daemon reloads them, touching nothing; exit 1 when something would change')
    .option('--json', 'the plan as JSON')
    .addHelpText('after', '\nExamples:\n  composed diff\n  composed diff --json | jq .services')
    .action(
      action<DiffOptions>(async (_args, options) => {
        process.exitCode = await printPreview(options, [], { reload: true, json: options.json ?? false });
      }),
    );
}

/** Asks the daemon for the plan, prints it; returns the exit code (0 nothing would change, 1 something would). */
export async function printPreview(options: ProjectOptions, services: string[], how: { reload: boolean; json: boolean; noDeps?: boolean }): Promise<number> {
  const { project, warnings } = await loadLocal(options);
  for (const w of warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
  for (const name of services) {
    if (!project.services[name]) throw new UsageError(`no such service: ${name} (the file has ${Object.keys(project.services).join(', ')})`);
  }
  const body = { ...(await loadRequestFor(options)), ...(services.length ? { services, noDeps: how.noDeps ?? false } : {}) };
  const preview = await clientFor(options).json<PreviewResponse>(`/v1/preview${how.reload ? '?reload=1' : ''}`, { method: 'POST', body });
  process.stdout.write(how.json ? `${JSON.stringify(preview, null, 2)}\n` : renderPreview(preview));
  return preview.changes ? 1 : 0;
}

export function renderPreview(preview: PreviewResponse): string {
  const out: string[] = [`project ${preview.project}${preview.supervised ? '' : ' (not supervised yet)'}: ${preview.changes ? 'would change' : 'nothing would change'}`];
  for (const line of preview.prepare) out.push(`  ${line}`);
  for (const s of preview.services) {
    const keys = s.changedKeys.length > 0 ? `: ${s.changedKeys.join(', ')}` : '';
    out.push(`${s.service}: ${s.change}${keys}`);
    for (const op of s.operations) out.push(`  ${op}`);
  }
  return `${out.join('\n')}\n`;
}
