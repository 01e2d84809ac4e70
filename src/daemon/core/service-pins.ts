// A pinned service runs a config the operator chose (a rollback to an earlier revision) instead of
// the file's, until the file's config of that service changes. A load of the files (up, a reload,
// a daemon start) keeps the pinned config while the file still says what it said when the pin was
// set; any change to the file's service lifts the pin and the new config rolls out. Pure.
import type { Project, Service } from '../../compose/model.js';

export interface ServicePin {
  /** The revision it runs (core/config-revisions.ts). */
  revision: number;
  /** The hash of that revision's config. */
  hash: string;
  /** The hash of the file's config when the pin was set: the pin holds while the file says the same. */
  fileHash: string;
  /** Why the service is pinned, for status: "rolled back to revision 2". */
  reason: string;
  /** Epoch ms. */
  at: number;
}

export interface PinnedView {
  project: Project;
  configHashes: Readonly<Record<string, string>>;
  pins?: Readonly<Record<string, ServicePin>>;
}

/**
 * The pins that still hold for a load whose file hashes are `fileHashes`. A pinned service keeps
 * the config it runs: `project` and `hashes` are changed to it (as the config that rolled back is).
 */
export function keepPinned(previous: PinnedView | undefined, project: Project, hashes: Record<string, string>, fileHashes: Readonly<Record<string, string>>): Record<string, ServicePin> {
  const kept: Record<string, ServicePin> = {};
  for (const [name, pin] of Object.entries(previous?.pins ?? {})) {
    const running: Service | undefined = previous?.project.services[name];
    if (!running || !project.services[name] || fileHashes[name] !== pin.fileHash || previous?.configHashes[name] !== pin.hash) continue;
    project.services[name] = running;
    hashes[name] = pin.hash;
    kept[name] = pin;
  }
  return kept;
}
