// Access to the conformance corpus beside the repository (../shared/conformance from the repo
// root). It is read in place, never copied; tests skip when it is absent.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CORPUS = resolve(REPO_ROOT, '../shared/conformance');
export const corpusPresent = existsSync(join(CORPUS, 'README.md'));
export const SKIP_REASON = 'skipped: corpus not present';

/** Columns that hold plain text; every other cell is JSON. */
const TEXT_COLUMNS = new Set(['source', 'test', 'notes', 'error_match', 'path', 'files', 'match']);

export type Row = Record<string, unknown>;

/** A TSV table; `jsonCells` false reads every cell as text (awesome-compose/INDEX.tsv). */
export function readTsv(relative: string, jsonCells = true): Row[] {
  const [header, ...lines] = readFileSync(join(CORPUS, relative), 'utf8').split('\n').filter((l) => l !== '');
  const columns = header!.split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    const row: Row = {};
    columns.forEach((c, i) => {
      const cell = cells[i] ?? '';
      row[c] = !jsonCells || TEXT_COLUMNS.has(c) ? cell : cell === '' ? null : JSON.parse(cell);
    });
    return row;
  });
}

export interface TableResult {
  name: string;
  agree: number;
  total: number;
  /** Rows that disagree, by a stable key, with what we produced. */
  disagreements: Map<string, string>;
  /** Rows left out of the count, with the reason. */
  excluded: string[];
}

export function newTable(name: string): TableResult {
  return { name, agree: 0, total: 0, disagreements: new Map(), excluded: [] };
}

export function record(t: TableResult, key: string, ok: boolean, detail: string): void {
  t.total++;
  if (ok) t.agree++;
  else t.disagreements.set(key, detail);
}

/** The one line per table the issue asks for, plus the rows that disagree. */
export function summary(t: TableResult): string {
  const lines = [`${t.name}: ${t.agree}/${t.total} rows agree${t.excluded.length ? ` (${t.excluded.length} rows not applicable)` : ''}`];
  for (const [key, detail] of t.disagreements) lines.push(`  disagrees: ${key} -> ${detail}`);
  return lines.join('\n');
}
