// Server-side filters only narrow a listing; whether an object is ours is decided here, on the
// labels each returned object carries. Podman 4.3.1 combines several `label` filters on the volume
// list with OR instead of AND (a filter for project A and managed=true returned project B's named
// volume), so a listing trusted as-is removed and mounted other projects' volumes.

/** A label that must have this value, or (true) merely be present. */
export type LabelRequirement = Record<string, string | true>;

export function labelsMatch(labels: Readonly<Record<string, string>> | null | undefined, wanted: LabelRequirement): boolean {
  const have = labels ?? {};
  return Object.entries(wanted).every(([key, value]) => (value === true ? key in have : have[key] === value));
}

/** The engine's `label` filter values for a requirement (`k=v`, or `k` for presence). */
export function labelFilter(wanted: LabelRequirement): string[] {
  return Object.entries(wanted).map(([key, value]) => (value === true ? key : `${key}=${value}`));
}

/** Where an engine behaved unlike Docker: said once per kind, so a quirk seen every sync does not flood the log. */
export type QuirkSink = (kind: string, detail: Record<string, unknown>) => void;

export function oncePerKind(sink: QuirkSink): QuirkSink {
  const seen = new Set<string>();
  return (kind, detail) => {
    if (seen.has(kind)) return;
    seen.add(kind);
    sink(kind, detail);
  };
}

/**
 * The objects of a listing whose labels match; the rest are reported (once per `what`) as the
 * engine's quirk and dropped, never touched.
 */
export function keepMatching<T>(
  what: string,
  objects: readonly T[],
  labelsOf: (object: T) => Readonly<Record<string, string>> | null | undefined,
  nameOf: (object: T) => string,
  wanted: LabelRequirement,
  quirk: QuirkSink,
): T[] {
  const kept: T[] = [];
  const dropped: string[] = [];
  for (const object of objects) {
    if (labelsMatch(labelsOf(object), wanted)) kept.push(object);
    else dropped.push(nameOf(object));
  }
  if (dropped.length > 0) {
    quirk(`label filter on the ${what} list`, {
      asked: labelFilter(wanted),
      returnedUnmatched: dropped.slice(0, 5),
      note: 'the engine returned objects its filter should have excluded; they were left untouched',
    });
  }
  return kept;
}
