// Least active connections, round-robin among equals: the only scheduling decision the balancer makes.

export interface Candidate {
  readonly id: string;
  readonly active: number;
}

/**
 * Index of the candidate with the fewest active connections. The scan starts at `start` and only a
 * strictly smaller count replaces the best so far, so among equals the first one at or after `start`
 * wins; the caller moves `start` past its pick to rotate. Excluded ids (already tried for this
 * client) are skipped; undefined when nothing is left.
 */
export function pickLeastActive(
  candidates: readonly Candidate[],
  start: number,
  exclude: ReadonlySet<string>,
): number | undefined {
  const n = candidates.length;
  let best: number | undefined;
  let bestActive = Infinity;
  for (let step = 0; step < n; step++) {
    const index = (start + step) % n;
    const candidate = candidates[index]!;
    if (exclude.has(candidate.id) || candidate.active >= bestActive) continue;
    best = index;
    bestActive = candidate.active;
  }
  return best;
}
