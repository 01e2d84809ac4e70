// SupervisionRuntime on the Docker engine: what the supervisor itself asks of it (replicas, images,
// networks, volumes, events, health, hooks). Each method is one engine conversation; errors leave
// as RuntimeError with a kind (see errors.ts). runtime.ts adds the operator's verbs.
import type Docker from 'dockerode';
import type { Network, Project, Service, ServiceHook, Volume } from '../../compose/model.js';
import type {
  ContainerDetails,
  SupervisionRuntime,
  ContainerSummary,
  CpuSample,
  EngineInfo,
  HookResult,
  PullProgress,
  ReplicaRequest,
  RuntimeEvent,
  StopOptions,
} from '../ports/runtime.js';
import { describeAddress, type FoundEngine } from './engine-discovery.js';
import { engineIdentity } from './engine-identity.js';
import { systemClock, type Clock, type Timer } from '../ports/clock.js';
import { toDetails, toSummary } from './containers.js';
import { CpuSampler } from './cpu.js';
import { memoryBytes } from './memory.js';
import { RuntimeError, classify, ignoreNotRunning, isAlreadyStopped, isNotFound, statusOf } from './errors.js';
import { containerEvents } from './events.js';
import { mergeEvents } from './merge-events.js';
import { HealthProber } from './health-prober.js';
import { HealthReader } from './health-reader.js';
import { runHook } from './hooks.js';
import * as images from './images.js';
import * as logs from './logs.js';
import { LABEL_PROJECT } from '../core/labels.js';
import { keepMatching, labelFilter, oncePerKind, type QuirkSink } from './label-match.js';
import * as resources from './resources.js';
import { replicaSpec, withAnonymousMounts } from './spec.js';
import { singleFileTar } from './tar.js';

export class DockerSupervisionRuntime implements SupervisionRuntime {
  private readonly cpu: CpuSampler;
  private apiVersion: Promise<string> | undefined;
  private info: Promise<EngineInfo> | undefined;
  /** Projects this daemon has listed containers of: the ones it supervises. */
  private readonly listedProjects = new Set<string>();

  private readonly quirk: QuirkSink;
  private readonly prober: HealthProber;
  private readonly health: HealthReader;

  /**
   * @param quirk told (once per kind) where the engine behaved unlike Docker and what was done about it.
   * @param found where the engine was found and why, for engineInfo.
   * @param clock every wait of the adapter's own (a stop signal's grace, the event stream's backoff,
   *   the daemon's health probes) runs on it.
   */
  constructor(
    protected readonly docker: Docker,
    quirk: QuirkSink = () => undefined,
    private readonly found?: FoundEngine,
    protected readonly clock: Clock = systemClock,
  ) {
    this.cpu = new CpuSampler(docker);
    this.quirk = oncePerKind(quirk);
    this.prober = new HealthProber(docker, this.quirk, clock);
    this.health = new HealthReader(docker, this.prober);
  }

  /** Asked once per connection of the event stream (an engine upgraded meanwhile answers anew). */
  engineInfo(): Promise<EngineInfo> {
    this.info ??= this.call('engine version', async () => ({
      ...engineIdentity(await this.docker.version()),
      address: this.found ? describeAddress(this.found.address) : 'unknown',
      source: this.found?.source ?? 'given by the caller',
    })).catch((error: unknown) => {
      this.info = undefined;
      throw error;
    });
    return this.info;
  }

  async ping(): Promise<void> {
    await this.call('ping the engine', () => this.docker.ping());
  }

  async listContainers(labels: Record<string, string>, opts: { all?: boolean } = {}): Promise<ContainerSummary[]> {
    const list = await this.call('list containers', () =>
      this.docker.listContainers({ all: opts.all ?? true, filters: { label: labelFilter(labels) } }),
    );
    const own = keepMatching('container', list, (c) => c.Labels, (c) => c.Names[0] ?? c.Id, labels, this.quirk);
    const project = labels[LABEL_PROJECT];
    if (project) this.listedProjects.add(project);
    const summaries = await this.call('read container health', () => this.health.fill(own.map(toSummary)));
    return summaries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async inspectContainer(id: string): Promise<ContainerDetails | undefined> {
    try {
      const info = await this.docker.getContainer(id).inspect();
      return toDetails(info, this.health.override(info));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw classify(error, `inspect container ${id}`);
    }
  }

  async createReplica(req: ReplicaRequest): Promise<string> {
    await this.requireSubpathSupport(req.service);
    const image = await images.replicaImageVolumes(this.docker, req.service);
    const spec = replicaSpec(req, image);
    const names = await resources.ensureAnonymousVolumes(this.docker, spec.anonymousVolumes, this.quirk);
    const body = withAnonymousMounts(spec, names);
    // _query/_body keep the create body out of the URL (dockerode otherwise sends it in both).
    const container = await this.call(`create container ${req.name}`, () =>
      this.docker.createContainer({
        _query: { name: spec.name, ...(spec.platform ? { platform: spec.platform } : {}) },
        _body: body,
      } as Docker.ContainerCreateOptions),
    );
    try {
      for (const { network, endpoint } of spec.connect) {
        await this.docker.getNetwork(network).connect({ Container: container.id, EndpointConfig: endpoint });
      }
      for (const file of spec.files) {
        const tar = singleFileTar(file.path, Buffer.from(file.content), file.mode, file.uid, file.gid, this.clock.now());
        await container.putArchive(tar, { path: '/' });
      }
    } catch (error) {
      // A half-wired container must not be started or adopted later.
      await container.remove({ force: true, v: false }).catch(() => undefined);
      throw classify(error, `set up container ${req.name}`);
    }
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (error) {
      if (statusOf(error) === 304) return; // already running
      throw classify(error, `start container ${id}`);
    }
  }

  async stopContainer(id: string, opts: StopOptions): Promise<void> {
    const container = this.docker.getContainer(id);
    try {
      if (!opts.signal) {
        // The engine sends the container's StopSignal, waits t seconds, then SIGKILLs.
        await container.stop({ t: opts.timeoutSeconds });
        return;
      }
      // API 1.41 has no signal parameter on stop: send it ourselves, then let stop(t=remaining) finish.
      await container.kill({ signal: opts.signal });
      let timer: Timer | undefined;
      const exited = await Promise.race([
        container.wait({ condition: 'not-running' }).then(() => true),
        new Promise<false>((resolve) => (timer = this.clock.setTimer(opts.timeoutSeconds * 1000, () => resolve(false)))),
      ]);
      timer?.cancel();
      if (!exited) await container.kill({ signal: 'SIGKILL' });
    } catch (error) {
      if (isAlreadyStopped(error)) return;
      throw classify(error, `stop container ${id}`);
    }
  }

  async removeContainer(id: string, opts: { force?: boolean } = {}): Promise<void> {
    try {
      // A forced removal is a SIGKILL on Docker; Podman 4.3.1 first stops with the container's
      // StopTimeout (10.3 s measured with StopTimeout=10), so kill it ourselves first.
      if (opts.force) await this.docker.getContainer(id).kill({ signal: 'SIGKILL' }).catch(ignoreNotRunning);
      // v=false: anonymous volumes belong to the replica and outlive this container.
      await this.docker.getContainer(id).remove({ force: opts.force ?? false, v: false });
    } catch (error) {
      if (isNotFound(error)) return;
      // "removal of container … is already in progress" is a failure too: after a dockerd crash the
      // engine answered it for good while the container kept the replica's name (see
      // core/stuck-removal.ts); the caller decides whether to wait or step around it.
      throw classify(error, `remove container ${id}`);
    }
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await this.call(`rename container ${id} to ${name}`, () => this.docker.getContainer(id).rename({ name }));
  }

  async logsTail(id: string, lines: number): Promise<string[]> {
    const container = this.docker.getContainer(id);
    return this.call(`logs of ${id}`, async () => logs.logsTail(container, await this.hasTty(container), lines));
  }

  async *followLogs(id: string, opts: { tail?: number; signal: AbortSignal }): AsyncIterable<string> {
    const container = this.docker.getContainer(id);
    const tty = await this.call(`logs of ${id}`, () => this.hasTty(container));
    try {
      yield* logs.followLogs(container, tty, opts);
    } catch (error) {
      throw classify(error, `follow logs of ${id}`);
    }
  }

  cpuSample(id: string): Promise<CpuSample | undefined> {
    return this.call(`cpu of ${id}`, () => this.cpu.sample(id));
  }

  memoryBytes(id: string): Promise<number | undefined> {
    return this.call(`memory of ${id}`, () => memoryBytes(this.docker, id));
  }

  ensureImage(_project: Project, service: Service, progress: PullProgress): Promise<void> {
    return images.ensureImage(this.docker, service, progress);
  }

  imageId(ref: string): Promise<string | undefined> {
    return images.imageId(this.docker, ref);
  }

  ensureNetwork(project: Project, key: string, network: Network): Promise<void> {
    return resources.ensureNetwork(this.docker, project, key, network);
  }

  removeNetwork(project: Project, key: string, network: Network): Promise<string | undefined> {
    return resources.removeNetwork(this.docker, project, key, network, (ms) => this.clock.sleep(ms));
  }

  ensureVolume(project: Project, key: string, volume: Volume): Promise<void> {
    return resources.ensureVolume(this.docker, project, key, volume);
  }

  removeProjectVolumes(project: Project): Promise<void> {
    return resources.removeProjectVolumes(this.docker, project, this.quirk);
  }

  /** The engine's events, and the health changes of the probes the daemon runs itself. */
  events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    return mergeEvents(this.watchingStarts(containerEvents(this.docker, signal, this.clock)), (push) => this.prober.onHealthChange(push), signal);
  }

  /**
   * A container that starts is followed by the prober at once, not at the next listing, when it
   * belongs to a project this daemon lists (another daemon's on the same engine is not ours to probe).
   */
  private async *watchingStarts(events: AsyncIterable<RuntimeEvent>): AsyncGenerator<RuntimeEvent> {
    for await (const event of events) {
      const project = event.kind === 'container' ? event.labels[LABEL_PROJECT] : undefined;
      if (event.kind === 'container' && event.action === 'start' && project && this.listedProjects.has(project)) {
        void this.prober.watchStarted(event.id);
      }
      if (event.kind === 'connected') this.info = undefined;
      yield event;
    }
  }

  daemonProbesHealth(project: string, service: string): boolean {
    return this.prober.isProbedByDaemon(project, service);
  }

  runHook(id: string, hook: ServiceHook, signal: AbortSignal): Promise<HookResult> {
    return runHook(this.docker, id, hook, signal, this.clock);
  }

  /** Engine 20.10 (API 1.41) silently drops VolumeOptions.Subpath (observed) and would mount the whole volume. */
  private async requireSubpathSupport(service: Service): Promise<void> {
    const mount = service.volumes.find((v) => v.type === 'volume' && v.subpath);
    if (!mount) return;
    this.apiVersion ??= this.call('engine version', async () => (await this.docker.version()).ApiVersion);
    const version = await this.apiVersion;
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major < 1 || (major === 1 && minor < 45)) {
      throw new RuntimeError(
        'terminal',
        `service ${service.name}: volume subpath (${mount.target}) needs engine API 1.45 or later; this engine speaks ${version}`,
      );
    }
  }


  protected async hasTty(container: Docker.Container): Promise<boolean> {
    return (await container.inspect()).Config.Tty;
  }

  protected async call<T>(context: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw classify(error, context);
    }
  }
}
