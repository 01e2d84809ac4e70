// Desired projects and replica memory, persisted in the state dir so a restarted daemon picks up
// where it stopped. One JSON file per project, written atomically: write a temporary file, fsync,
// rename over the old one, fsync the directory. A crash at any point leaves either the old or the
// new file, never a torn one.
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic } from '../compose/errors.js';
import type { Project, Service } from '../compose/model.js';
import type { LoadRequest } from './api/protocol.js';
import type { ReplicaMemory } from './core/replica-memory.js';

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
  /** `composed restart` times, by service. */
  restartRequestedAt: Record<string, number>;
  /** Replica memory by service, then replica number. */
  replicas: Record<string, Record<number, ReplicaMemory>>;
  /** The last roll-out of each service whose config changed. */
  rollouts: Record<string, RolloutRecord>;
  /** The loader's warnings for the running config (ignored keys, bind mounts of / or the Docker socket). */
  warnings: Diagnostic[];
}

export interface RolloutRecord {
  state: 'rolling-out' | 'complete' | 'rolled-back' | 'paused';
  message: string;
  /** Epoch ms of the last state change. */
  at: number;
  /** The config it replaced: what a rollback returns to. */
  previous?: { service: Service; hash: string };
  /** A config that failed and was rolled back: a reload of the same file does not retry it. */
  rejectedHash?: string;
}

export interface LoadedState {
  records: ProjectRecord[];
  /** Files that could not be read, with why; the daemon reports them and recovers from labels. */
  problems: Array<{ file: string; error: string }>;
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
        if (record.version !== STATE_VERSION || typeof record.name !== 'string' || !record.project) {
          throw new Error(`not a composed project record (version ${String(record.version)})`);
        }
        state.records.push(record);
      } catch (error) {
        state.problems.push({ file, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return state;
  }

  async save(record: ProjectRecord): Promise<void> {
    const file = this.fileFor(record.name);
    const temporary = `${file}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(record));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
    await syncDirectory(this.projectsDir);
  }

  async remove(name: string): Promise<void> {
    await rm(this.fileFor(name), { force: true });
    await syncDirectory(this.projectsDir);
  }

  private fileFor(name: string): string {
    return join(this.projectsDir, `${name}${SUFFIX}`);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
