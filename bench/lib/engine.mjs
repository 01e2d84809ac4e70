// The Docker engine as the benches see it: a dockerode client, an event recorder with the engine's
// own nanosecond timestamps, and cleanup of everything a bench created, by its project label.
import Docker from 'dockerode';
import { nowMs, sleep } from './util.mjs';

export const IMAGE = process.env.COMPOSED_BENCH_IMAGE ?? 'busybox:latest';
export const LABEL_PROJECT = 'com.docker.compose.project';

export function dockerClient() {
  return new Docker();
}

/**
 * Records every container event carrying `label` (e.g. `com.docker.compose.project=x`), with the
 * engine's timestamp (`time`, epoch ms from timeNano) and the time the bench received it (`recv`).
 */
export class EventRecorder {
  constructor(docker, label) {
    this.docker = docker;
    this.label = label;
    this.events = [];
    this.waiters = new Set();
  }

  async start() {
    this.stream = await this.docker.getEvents({ filters: { type: ['container'], label: [this.label] } });
    let buffer = '';
    this.stream.on('data', (chunk) => {
      const recv = nowMs();
      buffer += chunk.toString('utf8');
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        const m = JSON.parse(line);
        const raw = m.Action ?? m.status ?? '';
        const event = {
          action: raw.split(':')[0],
          raw,
          id: m.Actor?.ID ?? m.id,
          name: m.Actor?.Attributes?.name ?? '',
          attributes: m.Actor?.Attributes ?? {},
          time: m.timeNano / 1e6,
          recv,
        };
        this.events.push(event);
        for (const waiter of [...this.waiters]) waiter(event);
      }
    });
    this.stream.on('error', () => undefined);
    return this;
  }

  stop() {
    this.stream?.destroy();
  }

  /** Index to search from: events before it are ignored by `waitFor`. */
  mark() {
    return this.events.length;
  }

  /** The first event at or after `from` that matches; waits up to `timeoutMs`; undefined on timeout. */
  waitFor(predicate, { from = 0, timeoutMs = 30_000 } = {}) {
    for (let i = from; i < this.events.length; i++) if (predicate(this.events[i])) return Promise.resolve(this.events[i]);
    return new Promise((resolve) => {
      const waiter = (event) => {
        if (!predicate(event)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(event);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Calls `fn(event)` for every event from now on; returns an unsubscribe function. */
  subscribe(fn) {
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }

  since(from) {
    return this.events.slice(from);
  }
}

/** Removes every container (forced), network and volume labelled with the project. Never throws. */
export async function cleanupProject(docker, project) {
  const filters = { label: [`${LABEL_PROJECT}=${project}`] };
  const problems = [];
  const ignore = (p) => p.catch((e) => (e?.statusCode === 404 || /in progress/.test(String(e?.message)) ? undefined : problems.push(String(e?.message ?? e))));
  try {
    // One at a time: removing many containers of one network at once can leave the network with
    // phantom endpoints on engine 20.10 ("has active endpoints" forever after; dockerd's log shows
    // "Unable to complete atomic operation, key modified" while it happens).
    const containers = await docker.listContainers({ all: true, filters });
    for (const c of containers) await ignore(docker.getContainer(c.Id).remove({ force: true, v: true }));
    const networks = await docker.listNetworks({ filters });
    await Promise.all(networks.map((n) => ignore(docker.getNetwork(n.Id).remove())));
    const { Volumes } = await docker.listVolumes({ filters });
    await Promise.all((Volumes ?? []).map((v) => ignore(docker.getVolume(v.Name).remove())));
  } catch (e) {
    problems.push(String(e?.message ?? e));
  }
  return problems;
}

/** Cleans up, retrying while containers are still being removed by someone (e.g. a daemon going down). */
export async function cleanupProjects(docker, projects) {
  for (const project of projects) {
    let problems = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      problems = await cleanupProject(docker, project);
      const filters = { label: [`${LABEL_PROJECT}=${project}`] };
      const left = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]).catch(() => [[1], []]);
      if (problems.length === 0 && left[0].length === 0 && left[1].length === 0) {
        problems = [];
        break;
      }
      // A network keeps its endpoints a moment after its containers are gone.
      await sleep(1000);
    }
    if (problems.length > 0) console.warn(`cleanup of ${project} left something behind: ${problems.join('; ')}`);
  }
}

/** Engine facts for the report. */
export async function engineInfo(docker) {
  const [version, info] = await Promise.all([docker.version(), docker.info()]);
  return {
    version: version.Version,
    apiVersion: version.ApiVersion,
    storageDriver: info.Driver,
    cgroupVersion: info.CgroupVersion,
    cgroupDriver: info.CgroupDriver,
    kernel: info.KernelVersion,
    containerd: (version.Components ?? []).find((c) => c.Name === 'containerd')?.Version,
    runc: (version.Components ?? []).find((c) => c.Name === 'runc')?.Version,
  };
}

/** A shell command for pid 1 that exits 1 on SIGTERM at once (no 10 s stop timeout), 0 never. */
export const CRASH_ON_TERM = `trap 'exit 1' TERM; while :; do sleep 3600 & wait; done`;
/** A shell command for pid 1 that exits 0 on SIGTERM at once, so `down`/`stop` need no grace timeout. */
export const EXIT_ON_TERM = `trap 'exit 0' TERM; while :; do sleep 3600 & wait; done`;
