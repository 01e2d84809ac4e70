// The lifecycle's side of the config history: what a load or a rollback records
// (core/config-revisions.ts decides, state/config-history.ts keeps), and the history as
// `composed history` shows it.
import type { Project } from '../../compose/model.js';
import type { HistoryReport } from '../../protocol/history.js';
import { changedKeys, currentRevision, type ConfigRevision, type RevisionCause, type RevisionEntry, type ServiceHistory } from '../core/config-revisions.js';
import type { Clock } from '../ports/clock.js';
import { fileDigests, type ConfigHistory } from '../state/config-history.js';
import type { ProjectView } from '../state/state-store.js';

export class ServiceRevisions {
  constructor(
    private readonly history: ConfigHistory,
    private readonly clock: Clock,
  ) {}

  /** A load was adopted: each service's running config, and the file's own hash (a pin compares with it). */
  async recordLoad(project: Project, runningHashes: Readonly<Record<string, string>>, fileHashes: Readonly<Record<string, string>>, why: RevisionCause): Promise<void> {
    const files = await fileDigests(project.configFiles);
    const at = this.clock.now();
    const entries: Record<string, RevisionEntry> = {};
    for (const [name, service] of Object.entries(project.services)) {
      entries[name] = { hash: runningHashes[name] ?? '', service, files, at, why, fileHash: fileHashes[name] };
    }
    await this.history.record(project.name, entries);
  }

  /** A rollback gave the service an earlier revision's config. */
  async recordRollback(project: string, service: string, target: ConfigRevision): Promise<void> {
    const { revision, ...config } = target;
    await this.history.record(project, { [service]: { ...config, at: this.clock.now(), why: 'rollback', rolledBackTo: revision } });
  }

  async of(project: string, service: string): Promise<ServiceHistory | undefined> {
    return (await this.history.read(project))[service];
  }

  async report(record: ProjectView, service: string): Promise<HistoryReport> {
    const history = await this.of(record.name, service);
    const running = currentRevision(history, record.configHashes[service] ?? '');
    const pin = record.pins?.[service];
    const revisions = (history?.revisions ?? []).map((r, i, all) => ({
      revision: r.revision,
      at: new Date(r.at).toISOString(),
      why: r.why,
      ...(r.rolledBackTo === undefined ? {} : { rolledBackTo: r.rolledBackTo }),
      hash: r.hash,
      image: r.service.image,
      files: r.files,
      changed: i === 0 ? [] : changedKeys(all[i - 1]?.service, r.service),
      current: r === running,
      config: r.service,
    }));
    return {
      project: record.name,
      service,
      revisions,
      ...(pin ? { pinned: { revision: pin.revision, reason: pin.reason, since: new Date(pin.at).toISOString() } } : {}),
    };
  }
}
