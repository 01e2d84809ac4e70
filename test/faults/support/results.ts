// Each scenario records one row: trials, faults injected, trials survived, data lost, duplicates.
// Rows go to a JSON-lines file that global-setup.ts turns into the table printed at the end.
import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScenarioResult {
  scenario: string;
  trials: number;
  /** Faults injected (a trial may inject several: kill -9 and a container killed meanwhile). */
  faults: number;
  /** Trials after which every check held. */
  survived: number;
  /** Markers written before a fault and missing after it (must be 0). */
  dataLost: number;
  /** Replica numbers held by two containers, leftover `-next` containers, doubled anonymous volumes (must be 0). */
  duplicates: number;
  /** Measurements and findings, printed under the table. */
  notes: string[];
  /** Why the scenario did not run (e.g. other runs kept using the engine). */
  skipped?: string;
}

export const RESULTS_FILE = process.env['COMPOSED_FAULTS_RESULTS'] ?? join(tmpdir(), 'composed-faults-results.jsonl');

/** `full` (npm run test:faults) or `reduced` (scripts/test.sh): fewer trials, shorter windows. */
export const PROFILE: 'full' | 'reduced' = process.env['FAULTS_PROFILE'] === 'reduced' ? 'reduced' : 'full';

export function trialsFor(full: number, reduced: number): number {
  const override = Number(process.env['FAULTS_TRIALS']);
  if (Number.isInteger(override) && override > 0) return override;
  return PROFILE === 'full' ? full : reduced;
}

export function recordResult(result: ScenarioResult): void {
  appendFileSync(RESULTS_FILE, `${JSON.stringify(result)}\n`);
}

/** A result being filled trial by trial; `record()` writes it even when a trial threw. */
export class Tally implements ScenarioResult {
  trials = 0;
  faults = 0;
  survived = 0;
  dataLost = 0;
  duplicates = 0;
  notes: string[] = [];
  skipped?: string;
  private recorded = false;

  constructor(readonly scenario: string) {}

  note(text: string): void {
    this.notes.push(text);
    console.log(`[${this.scenario}] ${text}`);
  }

  record(): void {
    if (this.recorded) return;
    this.recorded = true;
    const { scenario, trials, faults, survived, dataLost, duplicates, notes, skipped } = this;
    recordResult({ scenario, trials, faults, survived, dataLost, duplicates, notes, ...(skipped ? { skipped } : {}) });
  }
}

export function formatTable(rows: ScenarioResult[]): string {
  const header = ['scenario', 'trials', 'faults injected', 'survived', 'data lost', 'duplicates'];
  const body = rows.map((r) => [r.scenario, String(r.trials), String(r.faults), r.skipped ? 'skipped' : `${r.survived}/${r.trials}`, String(r.dataLost), String(r.duplicates)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const notes = rows.flatMap((r) => r.notes.map((n) => `- ${r.scenario}: ${n}`));
  return [line(header), rule, ...body.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}
