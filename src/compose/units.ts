// Durations and byte sizes in the forms compose accepts (Go's time.ParseDuration and
// docker/go-units RAMInBytes, 1024-based).

const DURATION_UNITS_NS: Record<string, number> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};
const DURATION = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;
const DURATION_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** Milliseconds, or undefined when `text` is not a Go duration ("1m30s", "500ms", "2h", "0"). */
export function parseDuration(text: string): number | undefined {
  if (text === '0' || text === '+0' || text === '-0') return 0;
  const m = DURATION.exec(text);
  if (!m) return undefined;
  let ns = 0;
  for (const part of m[2]!.matchAll(DURATION_PART)) ns += Number(part[1]) * DURATION_UNITS_NS[part[2]!]!;
  const ms = Math.round(ns) / 1e6;
  return m[1] === '-' ? -ms : ms;
}

const BYTES = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const BYTE_UNITS: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** Bytes, or undefined when `text` is not a size ("512m", "1.5g", "640kb", "1024"). */
export function parseBytes(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  const text = value.trim();
  if (/^-\d+$/.test(text)) return Number(text);
  const m = BYTES.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  const unit = m[2] ? BYTE_UNITS[m[2].toLowerCase()]! : 1;
  return Math.floor(n * unit);
}

/** A CPU count ("0.5", 2) as a number; undefined when not a non-negative number. */
export function parseCpus(value: string | number): number | undefined {
  const n = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
