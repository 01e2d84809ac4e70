// An engine in memory, for tests of the controller: containers with our labels, names that must be
// unique, an event stream the test drives, and hooks to make a call fail the way the real engine
// was seen to fail (core/stuck-removal.ts, docker/README.md). It decides nothing the daemon decides.
import type { Network, Project, ServiceHook, Volume } from '../../src/compose/model.js';
import { LABEL_CONFIG_HASH, LABEL_MANAGED, LABEL_NUMBER, LABEL_PROJECT, LABEL_SERVICE } from '../../src/daemon/core/labels.js';
import {
  RuntimeError,
  type ContainerDetails,
  type SupervisionRuntime,
  type ContainerState,
  type ContainerSummary,
  type CpuSample,
  type HookResult,
  type ReplicaRequest,
  type RuntimeEvent,
} from '../../src/daemon/ports/runtime.js';

type Call = 'create' | 'start' | 'stop' | 'remove' | 'rename';

export class MemoryRuntime implements SupervisionRuntime {
  readonly containers = new Map<string, ContainerDetails>();
  readonly calls: Array<{ call: Call; id: string; name?: string }> = [];
  /** Set to make a call fail: return an error to throw, or undefined to let it through. */
  failure: Partial<Record<Call, (container: ContainerDetails | undefined, req?: ReplicaRequest) => RuntimeError | undefined>> = {};
  /** Called after a container starts, e.g. to make it crash at once. */
  onStart?: (container: ContainerDetails) => void;
  private nextId = 1;
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();

  /** `now` gives the engine's times (a test's fake clock, or the wall clock). */
  constructor(private readonly now: () => number = () => Date.now()) {}

  count(call: Call): number {
    return this.calls.filter((c) => c.call === call).length;
  }

  byName(name: string): ContainerDetails | undefined {
    return [...this.containers.values()].find((c) => c.name === name);
  }

  /** The container dies by itself (exit code), with the events the engine sends. */
  crash(id: string, exitCode = 137): void {
    const c = this.must(id);
    Object.assign(c, { state: 'exited', exitCode, finishedAt: this.now(), addresses: {} });
    this.emit('die', c, exitCode);
  }

  async ping(): Promise<void> {}

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    return [...this.containers.values()].filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v)).map((c) => ({ ...c, labels: { ...c.labels } }));
  }

  async inspectContainer(id: string): Promise<ContainerDetails | undefined> {
    const c = this.containers.get(id);
    return c ? { ...c, labels: { ...c.labels } } : undefined;
  }

  async createReplica(req: ReplicaRequest): Promise<string> {
    this.calls.push({ call: 'create', id: '', name: req.name });
    this.fail('create', undefined, req);
    if (this.byName(req.name)) throw new RuntimeError('conflict', `create container ${req.name}: the name is already in use`, { statusCode: 409 });
    const id = `c${this.nextId++}`;
    this.containers.set(id, {
      id,
      name: req.name,
      labels: {
        [LABEL_MANAGED]: 'true',
        [LABEL_PROJECT]: req.project.name,
        [LABEL_SERVICE]: req.service.name,
        [LABEL_NUMBER]: String(req.number),
        [LABEL_CONFIG_HASH]: req.configHash,
      },
      state: 'created',
      health: 'none',
      imageId: 'sha256:memory',
      createdAt: this.now(),
      addresses: {},
      exitCode: 0,
      oomKilled: false,
      startedAt: 0,
      finishedAt: 0,
      healthLog: [],
      mounts: [],
    });
    this.emit('create', this.must(id));
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.calls.push({ call: 'start', id });
    const c = this.must(id);
    this.fail('start', c);
    Object.assign(c, { state: 'running' as ContainerState, startedAt: this.now(), addresses: { default: '10.0.0.1' } });
    this.emit('start', c);
    this.onStart?.(c);
  }

  /** The hooks run, in order; `hookExit` picks each one's exit code (default 0). */
  readonly hooks: Array<{ id: string; command: string[] }> = [];
  hookExit: (hook: ServiceHook) => number = () => 0;

  async runHook(id: string, hook: ServiceHook): Promise<HookResult> {
    const c = this.containers.get(id);
    if (!c || c.state !== 'running') throw new RuntimeError('conflict', `container ${id} is not running`, { statusCode: 409 });
    this.hooks.push({ id, command: hook.command });
    return { exitCode: this.hookExit(hook), output: `ran ${hook.command.join(' ')}\n` };
  }

  async stopContainer(id: string): Promise<void> {
    this.calls.push({ call: 'stop', id });
    const c = this.containers.get(id);
    if (!c) return;
    this.fail('stop', c);
    if (c.state !== 'running') return;
    Object.assign(c, { state: 'exited' as ContainerState, exitCode: 0, finishedAt: this.now(), addresses: {} });
    this.emit('die', c, 0);
    this.emit('stop', c);
  }

  async removeContainer(id: string): Promise<void> {
    this.calls.push({ call: 'remove', id });
    const c = this.containers.get(id);
    if (!c) return;
    this.fail('remove', c);
    this.containers.delete(id);
    this.emit('destroy', c);
  }

  async renameContainer(id: string, name: string): Promise<void> {
    this.calls.push({ call: 'rename', id, name });
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('not-found', `rename container ${id}: no such container`, { statusCode: 404 });
    this.fail('rename', c);
    if (this.byName(name)) throw new RuntimeError('conflict', `rename container ${id}: ${name} is already in use`, { statusCode: 409 });
    c.name = name;
    this.emit('rename', c);
  }

  async logsTail(): Promise<string[]> {
    return [];
  }

  async *followLogs(): AsyncIterable<string> {}

  async cpuSample(): Promise<CpuSample | undefined> {
    return undefined;
  }

  async memoryBytes(): Promise<number | undefined> {
    return undefined;
  }

  async ensureImage(): Promise<void> {}

  async imageId(): Promise<string | undefined> {
    return 'sha256:memory';
  }

  async ensureNetwork(_p: Project, _k: string, _n: Network): Promise<void> {}

  async removeNetwork(): Promise<string | undefined> {
    return undefined;
  }

  async ensureVolume(_p: Project, _k: string, _v: Volume): Promise<void> {}

  async removeProjectVolumes(): Promise<void> {}

  async *events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    const queue: RuntimeEvent[] = [{ kind: 'connected' }];
    let wake: (() => void) | undefined;
    const listener = (event: RuntimeEvent) => {
      queue.push(event);
      wake?.();
    };
    this.listeners.add(listener);
    signal.addEventListener('abort', () => wake?.(), { once: true });
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next) yield next;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      this.listeners.delete(listener);
    }
  }

  private emit(action: 'create' | 'start' | 'die' | 'stop' | 'destroy' | 'rename', c: ContainerDetails, exitCode?: number): void {
    const event: RuntimeEvent = { kind: 'container', action, id: c.id, name: c.name, labels: { ...c.labels }, time: this.now(), exitCode };
    for (const listener of this.listeners) listener(event);
  }

  private fail(call: Call, c: ContainerDetails | undefined, req?: ReplicaRequest): void {
    const error = this.failure[call]?.(c, req);
    if (error) throw error;
  }

  private must(id: string): ContainerDetails {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('not-found', `no such container: ${id}`, { statusCode: 404 });
    return c;
  }
}
