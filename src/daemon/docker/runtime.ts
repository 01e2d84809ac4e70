// ContainerRuntime on the Docker engine: the supervisor's part (supervision-runtime.ts) and the
// operator's verbs the API serves (exec, run, kill, pause, top, stats, ps, logs, watch's file sync).
// Each method is one engine conversation; errors leave as RuntimeError with a kind (see errors.ts).
// Wired in only by the daemon's main.
import type { ContainerRuntime, StopOptions } from '../ports/runtime.js';
import { dockerFor } from './client.js';
import { DockerSupervisionRuntime } from './supervision-runtime.js';
import { findEngine } from './engine-discovery.js';
import type { InteractiveSession, LogEntry, LogQuery, OneOffRequest, ProcessOptions, ProcessTable, PsEntry, ResourceUsage, TerminalSize } from '../ports/interactive.js';
import * as controls from './container-controls.js';
import { logEntries } from './log-entries.js';
import { createOneOff } from './one-off.js';
import * as sessions from './sessions.js';
import { systemClock, type Clock } from '../ports/clock.js';
import { classify } from './errors.js';
import type { QuirkSink } from './label-match.js';
import { singleFileTar } from './tar.js';
import { DockerImageStore } from './image-store.js';

export class DockerRuntime extends DockerSupervisionRuntime implements ContainerRuntime {
  static fromEnv(env: NodeJS.ProcessEnv = process.env, quirk?: QuirkSink, clock: Clock = systemClock): DockerRuntime {
    const found = findEngine(env);
    return new DockerRuntime(dockerFor(found.address, env), quirk, found, clock);
  }

  /** The image store tag following reads and prunes. */
  imageStore(): DockerImageStore {
    return new DockerImageStore(this.docker);
  }

  async restartInPlace(id: string, opts: StopOptions): Promise<void> {
    await this.call(`restart ${id}`, () => this.docker.getContainer(id).restart({ t: opts.timeoutSeconds }));
  }

  async putFiles(id: string, files: ReadonlyArray<{ path: string; content: Buffer; mode: number }>): Promise<void> {
    const container = this.docker.getContainer(id);
    for (const file of files) {
      await this.call(`copy ${file.path} into ${id}`, () => container.putArchive(singleFileTar(file.path, file.content, file.mode, 0, 0, this.clock.now()), { path: '/' }));
    }
  }

  execSession(containerId: string, opts: ProcessOptions): Promise<InteractiveSession> {
    return sessions.execSession(this.docker, containerId, opts, this.clock);
  }

  execDetached(containerId: string, opts: ProcessOptions): Promise<void> {
    return sessions.execDetached(this.docker, containerId, opts);
  }

  createOneOff(req: OneOffRequest): Promise<string> {
    return createOneOff(this.docker, req, this.clock.now());
  }

  startAttached(containerId: string, opts: { interactive: boolean; tty: boolean; removeAfter: boolean; size?: TerminalSize }): Promise<InteractiveSession> {
    return sessions.startAttached(this.docker, containerId, opts);
  }

  killContainer(id: string, signal: string): Promise<void> {
    return controls.killContainer(this.docker, id, signal);
  }

  pauseContainer(id: string): Promise<void> {
    return controls.setPaused(this.docker, id, true);
  }

  unpauseContainer(id: string): Promise<void> {
    return controls.setPaused(this.docker, id, false);
  }

  topContainer(id: string): Promise<ProcessTable> {
    return controls.topContainer(this.docker, id);
  }

  resourceUsage(id: string): Promise<ResourceUsage> {
    return controls.resourceUsage(this.docker, id);
  }

  psEntries(labels: Record<string, string>): Promise<PsEntry[]> {
    return controls.psEntries(this.docker, labels);
  }

  async *logEntries(id: string, query: LogQuery): AsyncIterable<LogEntry> {
    const container = this.docker.getContainer(id);
    const tty = await this.call(`logs of ${id}`, () => this.hasTty(container));
    try {
      yield* logEntries(container, tty, query);
    } catch (error) {
      throw classify(error, `logs of ${id}`);
    }
  }

}
