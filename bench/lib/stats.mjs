// Order statistics for the figures in RESULTS.md. Percentiles use the nearest-rank method.

/** {runs, median, p90, p99, min, max, mean} of a list of numbers; undefined fields when empty. */
export function summarize(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { runs: 0 };
  const rank = (p) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return {
    runs: n,
    median,
    p90: rank(90),
    p99: rank(99),
    min: sorted[0],
    max: sorted[n - 1],
    mean: sorted.reduce((a, b) => a + b, 0) / n,
  };
}

/** a / b of two medians, or undefined when either is missing. */
export function ratio(a, b) {
  if (!Number.isFinite(a?.median ?? a) || !Number.isFinite(b?.median ?? b)) return undefined;
  const x = a?.median ?? a;
  const y = b?.median ?? b;
  return y === 0 ? undefined : x / y;
}

/** A ratio as RESULTS.md prints it: 1.23x, or – when there is none. */
export function formatRatio(r) {
  return r === undefined || !Number.isFinite(r) ? '–' : `${r.toFixed(2)}x`;
}
