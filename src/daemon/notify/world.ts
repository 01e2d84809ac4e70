// The world the notifier reads: every project's status built from the controller's last listing,
// so a look every few seconds costs no call to the engine. A project a sync is working on is
// named unsettled: what that sync has decided but not yet done (an exit's log tail) is missing.
import type { WorldSnapshot } from '../core/notify-conditions.js';
import { statusFromListing, type StatusSources } from '../status/project-status.js';

export function worldFrom(sources: StatusSources): () => WorldSnapshot {
  const noProbeOutputs = new Map<string, string>();
  return () => {
    const records = sources.registry.all();
    return {
      engineReachable: sources.controller.engineReachable,
      projects: records.map((record) => statusFromListing(sources, record, sources.controller.lastListingOf(record.name), noProbeOutputs)),
      unsettled: new Set(records.filter((record) => sources.controller.busy(record.name)).map((record) => record.name)),
    };
  };
}
