// Stable output: manifests print the same whatever order a compose file listed its keys in.

/** The same record with its keys in order, so YAML output does not depend on insertion order. */
export function sortedKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]!]));
}
