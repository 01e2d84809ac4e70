// CPU percent of one replica between two samples of its cumulative CPU time, relative to its CPU
// limit (0.5 cpus fully used = 100 %), or to one core without a limit, as DESIGN.md defines it.
import type { CpuSample } from '../ports/runtime.js';

export function cpuPercent(previous: CpuSample, current: CpuSample, limitCores: number): number | undefined {
  const elapsed = current.atNanos - previous.atNanos;
  const used = current.cpuNanos - previous.cpuNanos;
  // A restarted container resets its counter; a sample taken twice in a row says nothing.
  if (elapsed <= 0 || used < 0 || limitCores <= 0) return undefined;
  return (used / elapsed / limitCores) * 100;
}
