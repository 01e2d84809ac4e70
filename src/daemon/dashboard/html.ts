// Building HTML by hand, safely: every value from a record, the engine or a log is escaped here.

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A path segment in a link (project, service and container names are [a-z0-9_.-], but be safe). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '–';
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

/** An ISO time as a <time> the page's script shows relative to now (and the server as UTC). */
export function time(iso: string | undefined): string {
  if (!iso) return '–';
  return `<time datetime="${esc(iso)}">${esc(iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</time>`;
}

/**
 * Phases by how much they need a person, each with a symbol and a word besides its colour, so
 * nothing relies on telling red from green.
 */
const PHASES: Record<string, { rank: number; symbol: string; tone: 'bad' | 'warn' | 'ok' | 'idle' }> = {
  failed: { rank: 0, symbol: '✖', tone: 'bad' },
  backoff: { rank: 1, symbol: '↻', tone: 'bad' },
  unhealthy: { rank: 1, symbol: '✚', tone: 'bad' },
  degraded: { rank: 2, symbol: '▲', tone: 'warn' },
  blocked: { rank: 2, symbol: '■', tone: 'warn' },
  exited: { rank: 2, symbol: '▼', tone: 'warn' },
  missing: { rank: 2, symbol: '?', tone: 'warn' },
  waiting: { rank: 3, symbol: '…', tone: 'warn' },
  starting: { rank: 3, symbol: '◔', tone: 'warn' },
  created: { rank: 3, symbol: '◔', tone: 'warn' },
  running: { rank: 5, symbol: '●', tone: 'ok' },
  completed: { rank: 5, symbol: '✔', tone: 'ok' },
  stopped: { rank: 6, symbol: '○', tone: 'idle' },
  'scaled-to-zero': { rank: 6, symbol: '○', tone: 'idle' },
};

export function phaseRank(phase: string): number {
  return PHASES[phase]?.rank ?? 4;
}

export function badge(phase: string): string {
  const p = PHASES[phase] ?? { symbol: '•', tone: 'idle' };
  return `<span class="badge ${p.tone}" data-phase="${esc(phase)}"><span aria-hidden="true">${p.symbol}</span> ${esc(phase)}</span>`;
}
