// `composed history SERVICE`: every config the service was given (by up, a file edit or a
// rollback), the newest last, each with the keys that changed from the one before; and
// `composed rollback SERVICE [--to REV]`: roll the service out to an earlier revision and keep it
// there until the file changes.
import { Command } from 'commander';
import type { HistoryReport, RollbackResponse } from '../../protocol/history.js';
import { action, addProjectOptions, clientFor, projectNameFor, servicePath, UsageError } from '../common.js';
import { renderTable } from '../render/table.js';

interface HistoryOptions {
  json?: boolean;
}

interface RollbackOptions {
  to?: string;
}

export function registerHistory(program: Command): void {
  addProjectOptions(program.command('history'))
    .description('the configs a service ran (up, file edits, rollbacks), with the keys each changed')
    .argument('<service>')
    .option('--json', 'the revisions as JSON, each with its whole normalized config')
    .addHelpText('after', '\nExamples:\n  composed history web\n  composed history --json web')
    .action(
      action<HistoryOptions>(async ([service], options) => {
        const project = await projectNameFor(options);
        const report = await clientFor(options).json<HistoryReport>(servicePath(project, service ?? '', '/history'));
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderHistory(report));
      }),
    );

  addProjectOptions(program.command('rollback'))
    .description('roll a service out to an earlier config revision (the one before the running one by default), pinned there until the file changes')
    .argument('<service>')
    .option('--to <revision>', 'the revision to return to (see `composed history`)')
    .addHelpText('after', '\nExamples:\n  composed rollback web\n  composed rollback --to 3 web')
    .action(
      action<RollbackOptions>(async ([service], options) => {
        if (options.to !== undefined && !/^\d+$/.test(options.to)) throw new UsageError(`--to: ${JSON.stringify(options.to)} is not a revision number`);
        const project = await projectNameFor(options);
        const query = options.to === undefined ? '' : `?to=${options.to}`;
        const answer = await clientFor(options).json<RollbackResponse>(`${servicePath(project, service ?? '', '/rollback')}${query}`, { method: 'POST' });
        const changed = answer.changed.length > 0 ? ` (changes ${answer.changed.join(', ')})` : '';
        process.stdout.write(`${answer.service} rolling back to revision ${answer.revision}${changed}; pinned there until the file changes\n`);
      }),
    );
}

export function renderHistory(report: HistoryReport): string {
  if (report.revisions.length === 0) return `${report.service}: no config history is kept\n`;
  const rows = report.revisions.map((r) => [
    `${r.current ? '*' : ' '}${r.revision}`,
    r.at,
    r.why === 'rollback' && r.rolledBackTo !== undefined ? `rollback to ${r.rolledBackTo}` : r.why,
    r.hash.slice(0, 12),
    r.changed.length > 0 ? r.changed.join(', ') : '-',
  ]);
  const table = renderTable(['REVISION', 'APPLIED', 'WHY', 'HASH', 'CHANGED'], rows);
  const pinned = report.pinned ? `${report.service} is pinned to revision ${report.pinned.revision} since ${report.pinned.since} (${report.pinned.reason}); the file's config runs again once the file changes\n` : '';
  return `${table}\n${pinned}* the revision running now\n`;
}
