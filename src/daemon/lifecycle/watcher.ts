// Watches each supervised project's compose files, its .env and every env_file. Changes are
// debounced per project, so an editor's save-and-rename or a `git pull` touching several files is
// one reload. A reload only enqueues work through the lifecycle, like every other trigger.
//
// The directories holding those files are watched (depth 0), not the files: chokidar 4 loses a
// watched file once it is deleted while another watched path in its directory does not exist
// (the usual missing .env), so a compose file deleted and written again went unnoticed. A watched
// directory that disappears (moved away) is looked for again every few seconds.
import { watch, type FSWatcher } from 'chokidar';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { ProjectLifecycle } from './project-lifecycle.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { ProjectRegistry } from '../state/project-registry.js';

export const RELOAD_DEBOUNCE_MS = 300;
/** How often a watched directory that disappeared is looked for again. */
export const LOST_DIRECTORY_RETRY_MS = 2_000;

export class ProjectWatcher {
  private readonly watcher: FSWatcher;
  /** Watched file -> projects that depend on it. */
  private readonly owners = new Map<string, Set<string>>();
  /** Watched directories (the files' parents). */
  private readonly dirs = new Set<string>();
  /** Watched directories that disappeared, looked for again until they are back. */
  private readonly lost = new Set<string>();
  private lostTimer?: Timer;
  private readonly pending = new Map<string, Timer>();

  constructor(
    private readonly registry: ProjectRegistry,
    private readonly clock: Clock,
    private readonly lifecycle: ProjectLifecycle,
    private readonly logger: Logger,
    private readonly debounceMs = RELOAD_DEBOUNCE_MS,
  ) {
    // atomic: an editor's write-to-temp-then-rename is seen as one change of the file.
    this.watcher = watch([], { ignoreInitial: true, atomic: true, depth: 0 });
    this.watcher.on('all', (event, path) => {
      if (event === 'unlinkDir' && this.dirs.has(path)) this.directoryLost(path);
      this.changed(path, event);
    });
    this.watcher.on('error', (error) => this.logger.warn({ err: error }, 'file watcher error'));
  }

  /** Align the watched files with the supervised projects (after up, down and every reload). */
  refresh(): void {
    const wanted = new Map<string, Set<string>>();
    for (const record of this.registry.all()) {
      // .env beside the first file is watched even before it exists: creating it changes the config.
      const dotenv = join(record.project.workingDir, '.env');
      for (const file of [...record.project.configFiles, ...record.project.dependencyFiles, dotenv]) {
        if (!wanted.has(file)) wanted.set(file, new Set());
        wanted.get(file)!.add(record.name);
      }
    }
    const wantedDirs = new Set([...wanted.keys()].map((f) => dirname(f)));
    const added = [...wantedDirs].filter((d) => !this.dirs.has(d));
    const removed = [...this.dirs].filter((d) => !wantedDirs.has(d));
    if (added.length > 0) this.watcher.add(added);
    if (removed.length > 0) this.watcher.unwatch(removed);
    for (const d of removed) this.lost.delete(d);
    this.dirs.clear();
    for (const d of wantedDirs) this.dirs.add(d);
    this.owners.clear();
    for (const [file, projects] of wanted) this.owners.set(file, projects);
  }

  async close(): Promise<void> {
    for (const timer of this.pending.values()) timer.cancel();
    this.lostTimer?.cancel();
    await this.watcher.close();
  }

  /** A watched directory went away: watch it again once it is back, and reload its projects then. */
  private directoryLost(dir: string): void {
    this.watcher.unwatch(dir);
    this.lost.add(dir);
    this.lostTimer ??= this.clock.setRepeating(LOST_DIRECTORY_RETRY_MS, () => {
      for (const d of this.lost) {
        if (!this.dirs.has(d)) this.lost.delete(d);
        else if (existsSync(d)) {
          this.lost.delete(d);
          this.watcher.add(d);
          for (const file of this.owners.keys()) if (dirname(file) === d) this.changed(file, 'directory back');
        }
      }
      if (this.lost.size === 0 && this.lostTimer) {
        this.lostTimer.cancel();
        this.lostTimer = undefined;
      }
    });
  }

  private changed(path: string, event: string): void {
    for (const project of this.owners.get(path) ?? []) {
      this.pending.get(project)?.cancel();
      this.pending.set(
        project,
        this.clock.setTimer(this.debounceMs, () => {
          this.pending.delete(project);
          void this.lifecycle.reload(project, `${path} ${event}`).finally(() => this.refresh());
        }),
      );
    }
  }
}
