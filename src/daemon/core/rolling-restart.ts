// `composed restart --rolling`: the service's replicas are replaced one roll-out step at a time
// (start-first where it can, the balancer draining each old one), as a changed config would be.
// The roll-out machinery follows config hashes, so a rolling restart gives the service a new
// generation, and the hash its containers are labelled with is the config's hash salted with it:
// every running replica is then outdated and rolls. The record keeps the config's own hash (the
// one a reload compares with the file's), so a reload of an unchanged file changes nothing. Pure.
import { createHash } from 'node:crypto';

export interface GenerationsView {
  configHashes: Readonly<Record<string, string>>;
  restartGenerations?: Readonly<Record<string, number>>;
}

/** The hash the service's containers carry: its config's, salted with its restart generation. */
export function labelledHash(record: GenerationsView, service: string): string {
  const hash = record.configHashes[service] ?? '';
  const generation = record.restartGenerations?.[service] ?? 0;
  return generation === 0 ? hash : createHash('sha256').update(`${hash}\nrolling restart ${generation}`).digest('hex');
}

/** The generations a new config keeps: those of services whose config hash did not change. */
export function keptGenerations(previous: GenerationsView | undefined, hashes: Readonly<Record<string, string>>): Record<string, number> {
  const kept: Record<string, number> = {};
  for (const [service, generation] of Object.entries(previous?.restartGenerations ?? {})) {
    if (previous?.configHashes[service] === hashes[service]) kept[service] = generation;
  }
  return kept;
}
