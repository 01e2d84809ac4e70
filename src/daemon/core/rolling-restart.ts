// `composed restart --rolling`: the service's replicas are replaced one roll-out step at a time
// (start-first where it can, the balancer draining each old one), as a changed config would be.
// The roll-out machinery follows config hashes, so a rolling restart gives the service a new
// generation, and the hash its containers are labelled with is the config's hash with the
// generation appended (`<hash>-r2`): every running replica is then outdated and rolls. The record
// keeps the config's own hash (the one a reload compares with the file's), so a reload of an
// unchanged file changes nothing; recovery from labels reads both parts back. Pure.

export interface GenerationsView {
  configHashes: Readonly<Record<string, string>>;
  restartGenerations?: Readonly<Record<string, number>>;
}

/** The hash the service's containers carry: its config's, salted with its restart generation. */
export function labelledHash(record: GenerationsView, service: string): string {
  const hash = record.configHashes[service] ?? '';
  const generation = record.restartGenerations?.[service] ?? 0;
  return generation === 0 ? hash : `${hash}${GENERATION_MARK}${generation}`;
}

const GENERATION_MARK = '-r';

/** A container's hash label read back: the config's hash and the restart generation it ran under. */
export function parseLabelledHash(label: string): { hash: string; generation: number } {
  const at = label.lastIndexOf(GENERATION_MARK);
  const generation = at < 0 ? NaN : Number(label.slice(at + GENERATION_MARK.length));
  return Number.isInteger(generation) && generation > 0 ? { hash: label.slice(0, at), generation } : { hash: label, generation: 0 };
}

/** The generations a new config keeps: those of services whose config hash did not change. */
export function keptGenerations(previous: GenerationsView | undefined, hashes: Readonly<Record<string, string>>): Record<string, number> {
  const kept: Record<string, number> = {};
  for (const [service, generation] of Object.entries(previous?.restartGenerations ?? {})) {
    if (previous?.configHashes[service] === hashes[service]) kept[service] = generation;
  }
  return kept;
}
