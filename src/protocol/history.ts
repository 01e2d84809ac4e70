// Wire types of a service's config history (`composed history`) and of a rollback to one of its
// revisions (`composed rollback`).
import type { Service } from '../compose/model.js';

export interface RevisionSummary {
  revision: number;
  /** ISO time the config was applied. */
  at: string;
  why: 'up' | 'file-edit' | 'rollback';
  /** The revision a rollback returned to. */
  rolledBackTo?: number;
  hash: string;
  image: string;
  /** The compose files and their sha256 when the config was applied. */
  files: Array<{ path: string; sha256?: string }>;
  /** Keys that differ from the revision kept before it (dotted paths); empty for the oldest kept. */
  changed: string[];
  /** Whether the service runs this revision now. */
  current: boolean;
  /** The normalized service of this revision. */
  config: Service;
}

/** GET /v1/projects/{p}/services/{s}/history: oldest first. */
export interface HistoryReport {
  project: string;
  service: string;
  revisions: RevisionSummary[];
  /** Set while the service runs a revision chosen by a rollback instead of the file's. */
  pinned?: PinnedRevision;
}

export interface PinnedRevision {
  revision: number;
  reason: string;
  /** ISO time the pin was set. */
  since: string;
}

/** POST /v1/projects/{p}/services/{s}/rollback[?to=REV]: without `to`, the revision before the running one. */
export interface RollbackResponse {
  project: string;
  service: string;
  revision: number;
  /** Keys the rollback changes from the running config. */
  changed: string[];
}

/** POST /v1/projects/{p}/services/{s}/rolling-restart */
export interface RollingRestartResponse {
  project: string;
  service: string;
  /** How the replicas roll: start-first (the new one ready before the old one drains and stops) or stop-first. */
  order: 'start-first' | 'stop-first';
  replicas: number;
}
