// `logs --since/--until` as compose accepts them: a duration back from now ("42m", "1h30m", Go's
// units), a Unix timestamp ("1700000000", fractions allowed), or a date and time ("2024-01-02",
// "2024-01-02T13:23:37Z", with an offset or without one, then local time as compose reads it).
import { UsageError } from './common.js';

const GO_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Epoch seconds. */
export function parseLogTime(text: string, flag: string, nowMs: number): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length > 0 && parts.map((p) => p[0]).join('') === text) {
    const seconds = parts.reduce((sum, p) => sum + Number(p[1]) * (GO_UNITS[p[2] as string] ?? 1), 0);
    return nowMs / 1000 - seconds;
  }
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)) {
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
    const ms = Date.parse(dateOnly ? `${text}T00:00:00` : text.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms / 1000;
  }
  throw new UsageError(`${flag}: ${JSON.stringify(text)} is neither a duration (42m, 1h30m), a Unix timestamp nor a date and time (2024-01-02T13:23:37Z)`);
}
