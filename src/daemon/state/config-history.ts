// The config history of each project's services (core/config-revisions.ts), one JSON file per
// project under the state dir's config-history/, replaced atomically. Written when a load or a
// rollback gives a service a config it did not run before; read by `history` and `rollback`.
// A file that cannot be read is an empty history (the configs that run are in the project
// record; only the way back is lost), said once in the log.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_REVISIONS_KEPT, withRevision, type FileDigest, type RevisionEntry, type ServiceHistory } from '../core/config-revisions.js';
import { writeFileAtomically } from './atomic-file.js';

export type ProjectHistory = Record<string, ServiceHistory>;

export class ConfigHistory {
  private readonly writing = new Map<string, Promise<void>>();

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly kept = DEFAULT_REVISIONS_KEPT,
  ) {}

  /** The project's history, after the writes asked for before. */
  async read(project: string): Promise<ProjectHistory> {
    await this.writing.get(project);
    return this.readNow(project);
  }

  private async readNow(project: string): Promise<ProjectHistory> {
    try {
      const parsed = JSON.parse(await readFile(this.fileFor(project), 'utf8')) as unknown;
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as ProjectHistory) : {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn({ err: error, project }, 'config history unreadable; starting it afresh');
      return {};
    }
  }

  /** Adds each service's config as its newest revision where it differs from the newest kept. */
  record(project: string, entries: Record<string, RevisionEntry>): Promise<void> {
    const previous = this.writing.get(project) ?? Promise.resolve();
    const next = previous.then(async () => {
      const history = await this.readNow(project);
      let changed = false;
      for (const [service, entry] of Object.entries(entries)) {
        const before = JSON.stringify(history[service] ?? null);
        history[service] = withRevision(history[service], entry, this.kept);
        changed ||= JSON.stringify(history[service]) !== before;
      }
      if (!changed) return;
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFileAtomically(this.fileFor(project), JSON.stringify(history));
    }).catch((error: unknown) => this.logger.error({ err: error, project }, 'could not write the config history; the configs that run are untouched'));
    this.writing.set(project, next);
    return next;
  }

  private fileFor(project: string): string {
    return join(this.dir, `${project}.json`);
  }
}

/** The content digest of each compose file, as it is now (the loader has just read them). */
export async function fileDigests(paths: readonly string[]): Promise<FileDigest[]> {
  return Promise.all(
    paths.map(async (path) => {
      try {
        return { path, sha256: createHash('sha256').update(await readFile(path)).digest('hex') };
      } catch {
        return { path };
      }
    }),
  );
}
