// Aligned, borderless tables (docker ps style): each column as wide as its widest cell, three
// spaces between columns. Widths are measured without colour codes, so coloured cells align.
const ANSI = /\u001b\[[0-9;]*m/g;

export function renderTable(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ''))));
  return all
    .map((r) => widths.map((w, i) => pad(r[i] ?? '', w)).join('   ').trimEnd())
    .join('\n');
}

function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(width - visibleLength(text));
}
