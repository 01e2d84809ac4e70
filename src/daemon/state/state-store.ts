// Desired projects and replica memory, persisted in the state dir so a restarted daemon picks up
// where it stopped. One JSON file per project, written atomically: write a temporary file, fsync,
// rename over the old one, fsync the directory. A crash at any point leaves either the old or the
// new file, never a torn one.
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Diagnostic } from '../../compose/errors.js';
import type { Project } from '../../compose/model.js';
import type { LoadRequest } from '../../protocol/api.js';
import type { RolloutRecord } from '../core/rollout-outcome.js';
import type { StuckRemoval } from '../core/stuck-removal.js';
import type { ServicePin } from '../core/service-pins.js';
import type { TagFollowState } from '../core/tag-follow.js';
import { freshMemory, type ReplicaMemory } from '../core/replica-memory.js';
import type { ProjectOwner } from '../access/project-access.js';
import { syncDirectory, writeFileAtomically } from './atomic-file.js';

export const STATE_VERSION = 1;

export interface ProjectRecord {
  version: typeof STATE_VERSION;
  name: string;
  /** How the project was loaded, so the daemon can load it again when its files change. */
  load: LoadRequest;
  /** The last valid model. */
  project: Project;
  /** Config hash per service, computed at load time (it includes the image id then). */
  configHashes: Record<string, string>;
  /** Replica counts set by `composed scale` or the autoscaler, by service. */
  scale: Record<string, number>;
  /** Services stopped with `composed stop`. */
  stopped: string[];
  /** Services created with `up --no-start` and not started since (`composed start` starts them). */
  createOnly?: string[];
  /** `composed restart` times, by service. */
  restartRequestedAt: Record<string, number>;
  /** The `-t` seconds of the last `composed stop`/`restart` that gave one, by service. */
  stopTimeouts?: Record<string, number>;
  /** Replica memory by service, then replica number. */
  replicas: Record<string, Record<number, ReplicaMemory>>;
  /** The last roll-out of each service whose config changed. */
  rollouts: Record<string, RolloutRecord>;
  /** The loader's warnings for the running config (ignored keys, bind mounts of / or the Docker socket). */
  warnings: Diagnostic[];
  /** Old containers the engine could not remove, by service, then container id. */
  stuck: Record<string, Record<string, StuckRemoval>>;
  /** Who brought the project up first: reloads read its files as them; absent for root's older records. */
  owner?: ProjectOwner;
  /** Services running a revision the operator chose (`composed rollback`) instead of the file's. */
  pins?: Record<string, ServicePin>;
  /** `composed restart --rolling` counts, by service (core/rolling-restart.ts). */
  restartGenerations?: Record<string, number>;
  /** Following each service's image tag (`x-composed.update`), by service. */
  tagFollow?: Record<string, TagFollowState>;
}

/** A project record as readers see it: the registry alone changes it. */
export interface ProjectView {
  readonly version: ProjectRecord['version'];
  readonly name: string;
  readonly load: Readonly<LoadRequest>;
  readonly project: Project;
  readonly configHashes: Readonly<Record<string, string>>;
  readonly scale: Readonly<Record<string, number>>;
  readonly stopped: readonly string[];
  readonly createOnly?: readonly string[];
  readonly stopTimeouts?: Readonly<Record<string, number>>;
  readonly restartRequestedAt: Readonly<Record<string, number>>;
  readonly replicas: Readonly<Record<string, Readonly<Record<number, ReplicaMemory>>>>;
  readonly rollouts: Readonly<Record<string, RolloutRecord>>;
  readonly warnings: readonly Diagnostic[];
  readonly stuck: Readonly<Record<string, Readonly<Record<string, StuckRemoval>>>>;
  readonly owner?: Readonly<ProjectOwner>;
  readonly pins?: Readonly<Record<string, ServicePin>>;
  readonly restartGenerations?: Readonly<Record<string, number>>;
  readonly tagFollow?: Readonly<Record<string, Readonly<TagFollowState>>>;
}

export interface LoadedState {
  records: ProjectRecord[];
  /** Files that could not be read, with why; the daemon reports them and recovers from labels. */
  problems: UnreadableState[];
}

export interface UnreadableState {
  file: string;
  error: string;
}

const SUFFIX = '.json';

export class StateStore {
  private readonly projectsDir: string;

  constructor(readonly dir: string) {
    this.projectsDir = join(dir, 'projects');
  }

  async init(): Promise<void> {
    await mkdir(this.projectsDir, { recursive: true, mode: 0o700 });
  }

  async loadAll(): Promise<LoadedState> {
    const state: LoadedState = { records: [], problems: [] };
    const names = (await readdir(this.projectsDir)).filter((n) => n.endsWith(SUFFIX)).sort();
    for (const name of names) {
      const file = join(this.projectsDir, name);
      try {
        const record = JSON.parse(await readFile(file, 'utf8')) as ProjectRecord;
        const wrong = recordProblem(record);
        if (wrong) throw new Error(`not a composed project record: ${wrong}`);
        state.records.push(withDefaults(record));
      } catch (error) {
        state.problems.push({ file, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return state;
  }

  async save(record: ProjectRecord): Promise<void> {
    await writeFileAtomically(this.fileFor(record.name), JSON.stringify(record));
  }

  /**
   * Saves a record rebuilt for a project whose file could not be read, keeping the unreadable file
   * beside it as `<name>.json.corrupt-<epoch ms>` (what it still holds may be worth reading).
   * Returns that path.
   */
  async replaceUnreadable(record: ProjectRecord, at: number): Promise<string> {
    const file = this.fileFor(record.name);
    const aside = `${file}.corrupt-${at}`;
    await rename(file, aside);
    try {
      await this.save(record);
    } catch (error) {
      // Put the old file back: the next start then reports it and recovers the project again.
      await rename(aside, file).catch(() => undefined);
      throw error;
    }
    return aside;
  }

  async remove(name: string): Promise<void> {
    await rm(this.fileFor(name), { force: true });
    await syncDirectory(this.projectsDir);
  }

  private fileFor(name: string): string {
    return join(this.projectsDir, `${name}${SUFFIX}`);
  }
}

/** The project a state file is for: its file name without `.json`. */
export function projectNameOf(file: string): string {
  return basename(file, SUFFIX);
}

/**
 * What makes a parsed file unusable as a ProjectRecord, or undefined. Checks the shape the daemon
 * walks at start (a record with `project: {}` used to stop the daemon before it listened).
 */
/**
 * Records written before roll-outs, warnings and stuck containers existed (state version 1 all
 * along), and replica memories missing a field, are filled in rather than refused.
 */
function withDefaults(record: ProjectRecord): ProjectRecord {
  record.rollouts ??= {};
  record.warnings ??= [];
  record.stuck ??= {};
  for (const byNumber of Object.values(record.replicas)) {
    for (const [number, mem] of Object.entries(byNumber)) byNumber[Number(number)] = { ...freshMemory(), ...mem };
  }
  return record;
}

export function recordProblem(value: unknown): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const allOf = (v: unknown, test: (x: unknown) => boolean) => isObject(v) && Object.values(v).every(test);
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!isObject(value)) return 'not a JSON object';
  if (value.version !== STATE_VERSION) return `version ${JSON.stringify(value.version)} (expected ${STATE_VERSION})`;
  if (typeof value.name !== 'string' || value.name === '') return 'no project name';
  const load = value.load;
  if (!isObject(load) || !strings(load.files) || typeof load.cwd !== 'string' || !allOf(load.env, (x) => typeof x === 'string') || !strings(load.profiles)) return 'load is not a load request';
  const project = value.project;
  if (!isObject(project) || project.name !== value.name) return 'project is not a project model of that name';
  for (const section of ['services', 'networks', 'volumes', 'secrets', 'configs']) {
    if (!allOf(project[section], isObject)) return `project.${section} is not a map of objects`;
  }
  if (!strings(project.configFiles) || typeof project.workingDir !== 'string') return 'project files are missing';
  if (!allOf(value.configHashes, (x) => typeof x === 'string')) return 'configHashes is not a map of strings';
  if (!allOf(value.scale, (x) => Number.isInteger(x) && (x as number) >= 0)) return 'scale is not a map of replica counts';
  if (!strings(value.stopped)) return 'stopped is not a list of services';
  if (!allOf(value.restartRequestedAt, (x) => typeof x === 'number')) return 'restartRequestedAt is not a map of times';
  if (!allOf(value.replicas, (x) => allOf(x, isObject))) return 'replicas is not a map of replica memories';
  // Absent in records written before roll-outs existed: the controller fills it in.
  if (value.rollouts !== undefined && !allOf(value.rollouts, isObject)) return 'rollouts is not a map of roll-outs';
  if (value.stuck !== undefined && !allOf(value.stuck, (x) => allOf(x, isObject))) return 'stuck is not a map of stuck containers';
  const owner = value.owner;
  if (owner !== undefined && (!isObject(owner) || !Number.isInteger(owner.uid) || !Number.isInteger(owner.gid) || !Array.isArray(owner.groups) || typeof owner.restricted !== 'boolean')) return 'owner is not a uid, gid, groups and restricted';
  if (value.restartGenerations !== undefined && !allOf(value.restartGenerations, (x) => Number.isInteger(x))) return 'restartGenerations is not a map of counts';
  if (value.pins !== undefined && !allOf(value.pins, (x) => isObject(x) && typeof x.hash === 'string' && typeof x.fileHash === 'string')) return 'pins is not a map of pinned revisions';
  return undefined;
}
