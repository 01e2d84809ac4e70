// `composed why SERVICE`: what happened to each replica lately and why (exits with their code,
// health failures with the probe's output, restarts with their backoff, give-ups, roll-outs,
// scaling, engine outages), with the last lines each dead container printed. It reads the daemon's
// journal, so it still knows after the daemon restarted.
import { Command } from 'commander';
import type { Incident, WhyReport } from '../../protocol/memory.js';
import { action, addProjectOptions, clientFor, projectNameFor, projectPath, UsageError } from '../common.js';

interface WhyOptions {
  json?: boolean;
  limit: string;
  lines: string;
}

export function registerWhy(program: Command): void {
  addProjectOptions(program.command('why'))
    .description('what happened to a service\'s replicas lately, and why: exits, health, restarts, roll-outs, scaling, engine outages')
    .argument('<service>')
    .option('--json', 'the timelines as JSON')
    .option('--limit <n>', 'incidents per timeline, the latest', '20')
    .option('--lines <n>', 'lines of output shown at each death', '10')
    .addHelpText('after', '\nExamples:\n  composed why web\n  composed why --json --lines 50 worker')
    .action(
      action<WhyOptions>(async ([service], options) => {
        for (const flag of ['limit', 'lines'] as const) {
          if (!/^\d+$/.test(options[flag])) throw new UsageError(`--${flag}: ${JSON.stringify(options[flag])} is not a whole number`);
        }
        const project = await projectNameFor(options);
        const query = new URLSearchParams({ limit: options.limit, lines: options.lines });
        const report = await clientFor(options).json<WhyReport>(projectPath(project, `/services/${encodeURIComponent(service ?? '')}/why?${query}`));
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderWhy(report));
      }),
    );
}

export function renderWhy(report: WhyReport): string {
  const out: string[] = [];
  const section = (title: string, incidents: Incident[]) => {
    out.push(`${title}:`);
    if (incidents.length === 0) out.push('  nothing happened that the daemon remembers');
    for (const i of incidents) {
      const details = [i.signal && `signal ${i.signal}`, i.oomKilled && 'OOM killed'].filter(Boolean).join(', ');
      out.push(`  ${i.at}  ${i.kind.padEnd(9)} ${i.cause}${details ? ` [${details}]` : ''}`);
      if (i.healthOutput && !i.cause.includes(i.healthOutput)) out.push(`      probe: ${i.healthOutput.trim()}`);
      if (i.lastLines?.length) {
        out.push('      last lines:');
        for (const line of i.lastLines) out.push(`      | ${line}`);
      }
    }
  };
  if (report.serviceIncidents.length > 0) section(`${report.service} (every replica)`, report.serviceIncidents);
  if (report.replicas.length === 0 && report.serviceIncidents.length === 0) out.push(`${report.service}: nothing happened that the daemon remembers`);
  for (const r of report.replicas) section(`${report.service}-${r.replica}`, r.incidents);
  return `${out.join('\n')}\n`;
}
