// Runs once around the whole fault suite: clears the results file, and prints the table at the end
// (also written next to the results file as faults-table.md).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatTable, PROFILE, RESULTS_FILE, type ScenarioResult } from './results.js';

export function setup(): void {
  rmSync(RESULTS_FILE, { force: true });
  process.env['COMPOSED_FAULTS_RESULTS'] = RESULTS_FILE;
}

export function teardown(): void {
  const rows: ScenarioResult[] = existsSync(RESULTS_FILE)
    ? readFileSync(RESULTS_FILE, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as ScenarioResult)
    : [];
  const table = formatTable(rows);
  writeFileSync(join(dirname(RESULTS_FILE), 'faults-table.md'), `${table}\n`);
  process.stdout.write(`\ncomposed fault suite (${PROFILE} profile)\n\n${table}\n\n`);
}
