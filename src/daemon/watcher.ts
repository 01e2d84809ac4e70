// Watches each supervised project's compose files, its .env and every env_file. Changes are
// debounced per project, so an editor's save-and-rename or a `git pull` touching several files is
// one reload. A reload only enqueues work through the lifecycle, like every other trigger.
import { watch, type FSWatcher } from 'chokidar';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Controller } from './controller.js';
import type { ProjectLifecycle } from './project-lifecycle.js';

export const RELOAD_DEBOUNCE_MS = 300;

export class ProjectWatcher {
  private readonly watcher: FSWatcher;
  /** Watched file -> projects that depend on it. */
  private readonly owners = new Map<string, Set<string>>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly controller: Controller,
    private readonly lifecycle: ProjectLifecycle,
    private readonly logger: Logger,
    private readonly debounceMs = RELOAD_DEBOUNCE_MS,
  ) {
    // atomic: an editor's write-to-temp-then-rename is seen as one change of the file.
    this.watcher = watch([], { ignoreInitial: true, atomic: true });
    this.watcher.on('all', (event, path) => this.changed(path, event));
    this.watcher.on('error', (error) => this.logger.warn({ err: error }, 'file watcher error'));
  }

  /** Align the watched files with the supervised projects (after up, down and every reload). */
  refresh(): void {
    const wanted = new Map<string, Set<string>>();
    for (const record of this.controller.records.values()) {
      // .env beside the first file is watched even before it exists: creating it changes the config.
      const dotenv = join(record.project.workingDir, '.env');
      for (const file of [...record.project.configFiles, ...record.project.dependencyFiles, dotenv]) {
        if (!wanted.has(file)) wanted.set(file, new Set());
        wanted.get(file)!.add(record.name);
      }
    }
    const added = [...wanted.keys()].filter((f) => !this.owners.has(f));
    const removed = [...this.owners.keys()].filter((f) => !wanted.has(f));
    if (added.length > 0) this.watcher.add(added);
    if (removed.length > 0) this.watcher.unwatch(removed);
    this.owners.clear();
    for (const [file, projects] of wanted) this.owners.set(file, projects);
  }

  async close(): Promise<void> {
    for (const timer of this.pending.values()) clearTimeout(timer);
    await this.watcher.close();
  }

  private changed(path: string, event: string): void {
    for (const project of this.owners.get(path) ?? []) {
      clearTimeout(this.pending.get(project));
      this.pending.set(
        project,
        setTimeout(() => {
          this.pending.delete(project);
          void this.lifecycle.reload(project, `${path} ${event}`).finally(() => this.refresh());
        }, this.debounceMs),
      );
    }
  }
}
