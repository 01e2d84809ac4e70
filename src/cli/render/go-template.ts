// The part of Go's text/template that `--format` strings use in practice: `{{.Field}}`,
// `{{json .Field}}`, `{{json .}}`, and a leading `table` for a header row and aligned columns.
import { UsageError } from '../common.js';
import { renderTable } from './table.js';

const ACTION = /\{\{\s*(json\s+)?\.([A-Za-z0-9_]*)\s*\}\}/g;

export function renderTemplate(template: string, rows: Array<Record<string, unknown>>): string {
  const table = /^table\s/.test(template);
  const body = (table ? template.replace(/^table\s+/, '') : template).replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const leftover = body.replace(ACTION, '');
  if (/\{\{|\}\}/.test(leftover)) throw new UsageError(`--format: ${JSON.stringify(template)}: only {{.Field}} and {{json .Field}} are understood`);
  const fill = (row: Record<string, unknown>): string =>
    body.replace(ACTION, (_m, json: string | undefined, field: string) => {
      const value = field === '' ? row : row[field];
      if (value === undefined && field !== '') throw new UsageError(`--format: no field ${field} (fields: ${Object.keys(row).join(', ')})`);
      return json ? JSON.stringify(value) : typeof value === 'object' ? JSON.stringify(value) : String(value);
    });
  if (!table) return rows.map((r) => `${fill(r)}\n`).join('');
  const head = [...body.matchAll(ACTION)].map((m) => headerOf(m[2] ?? ''));
  return `${renderTable(head, rows.map((r) => fill(r).split('\t')))}\n`;
}

/** `.ExitCode` -> `EXIT CODE`, as docker's table headers read. */
function headerOf(field: string): string {
  return field.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}
