// Kubernetes quantities and seconds from the model's numbers (CPUs, bytes, milliseconds).

/** "2" for whole CPUs, else millicores ("250m"). */
export function cpuQuantity(cpus: number): string {
  return Number.isInteger(cpus) ? String(cpus) : `${Math.round(cpus * 1000)}m`;
}

const BINARY_UNITS: Array<[string, number]> = [
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/** The largest binary unit that states `bytes` exactly ("512Mi"), else plain bytes. */
export function bytesQuantity(bytes: number): string {
  for (const [unit, size] of BINARY_UNITS) if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** Whole seconds, rounded up so that a timeout or a grace period is never shortened. */
export function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}
