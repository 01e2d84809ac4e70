// A service's config history: every config it was given to run (by `up`, a file edit or a
// rollback), numbered like `kubectl rollout history`, the newest N kept; which keys changed from
// one revision to the next; and which revision a rollback returns to. Pure.
import { canonicalJson } from '../../compose/hash.js';
import type { Service } from '../../compose/model.js';

export type RevisionCause = 'up' | 'file-edit' | 'rollback';

export interface FileDigest {
  path: string;
  /** sha256 of the file's content when the config was applied; absent when it could not be read. */
  sha256?: string;
}

export interface ConfigRevision {
  /** 1, 2, ... per service; never reused, even when old revisions are dropped. */
  revision: number;
  hash: string;
  /** The normalized service, as it ran. */
  service: Service;
  files: FileDigest[];
  /** Epoch ms. */
  at: number;
  why: RevisionCause;
  /** The revision a rollback returned to. */
  rolledBackTo?: number;
}

export interface ServiceHistory {
  revisions: ConfigRevision[];
  /** The hash of the file's config at the last load, running or not (what a pin compares with). */
  fileHash?: string;
}

export const DEFAULT_REVISIONS_KEPT = 10;

export type NewRevision = Omit<ConfigRevision, 'revision'>;

/** A config to record, with the file's own hash when it comes from a load of the files. */
export type RevisionEntry = NewRevision & { fileHash?: string };

/**
 * The history with `entry` as its newest revision, unless the newest already runs that hash; a
 * load's file hash is remembered either way.
 */
export function withRevision(history: ServiceHistory | undefined, { fileHash, ...entry }: RevisionEntry, kept = DEFAULT_REVISIONS_KEPT): ServiceHistory {
  const revisions = history?.revisions ?? [];
  const newest = revisions.at(-1);
  const file = fileHash ?? history?.fileHash;
  const withFile = file === undefined ? {} : { fileHash: file };
  if (newest && newest.hash === entry.hash) return { revisions, ...withFile };
  const next: ConfigRevision = { ...entry, revision: (newest?.revision ?? 0) + 1 };
  return { revisions: [...revisions, next].slice(-kept), ...withFile };
}

/** The newest revision that runs `hash`: the one the service runs now. */
export function currentRevision(history: ServiceHistory | undefined, hash: string): ConfigRevision | undefined {
  return [...(history?.revisions ?? [])].reverse().find((r) => r.hash === hash);
}

/**
 * The revision `rollback` returns to: `to` when given, else the newest one before the running
 * revision whose config differs from it (`kubectl rollout undo`). A string says why there is none.
 */
export function rollbackTarget(history: ServiceHistory | undefined, runningHash: string, to?: number): ConfigRevision | string {
  const revisions = history?.revisions ?? [];
  if (revisions.length === 0) return 'no config history is kept for it';
  if (to !== undefined) {
    const wanted = revisions.find((r) => r.revision === to);
    if (!wanted) return `revision ${to} is not kept (kept: ${revisions.map((r) => r.revision).join(', ')})`;
    if (wanted.hash === runningHash) return `revision ${to} is the config it runs now`;
    return wanted;
  }
  const running = currentRevision(history, runningHash);
  const before = revisions.filter((r) => r.hash !== runningHash && (!running || r.revision < running.revision));
  return before.at(-1) ?? 'no earlier revision with a different config is kept';
}

/**
 * The keys whose value differs between two services, as dotted paths (`environment.GREETING`,
 * `ports`), sorted. Lists are compared whole: a key path into a list would name positions, not
 * what a reader changed.
 */
export function changedKeys(before: Service | undefined, after: Service): string[] {
  const out: string[] = [];
  walk(before ?? {}, after, '', out);
  return out.sort();
}

function walk(a: unknown, b: unknown, path: string, out: string[]): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (canonicalJson(a ?? null) !== canonicalJson(b ?? null)) out.push(path || '(whole service)');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
