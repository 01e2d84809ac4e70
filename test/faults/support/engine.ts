// What the fault scenarios read from the engine: a project's containers and anonymous volumes,
// markers written into volumes before a fault and read back after it, and the check that no other
// test run is using the engine before one is disrupted.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { isSteppedAsideName, LABEL_ANON_NUMBER, LABEL_ANON_TARGET, LABEL_NUMBER, LABEL_PROJECT, LABEL_SERVICE } from '../../../src/daemon/core/labels.js';
import { dockerForTests } from '../../support/engine.js';

const run = promisify(execFile);

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

export interface Replica {
  id: string;
  name: string;
  service: string;
  number: number;
  state: string;
  hash: string;
}

export async function projectContainers(project: string): Promise<Replica[]> {
  const list = await dockerForTests().listContainers({ all: true, filters: { label: [`${LABEL_PROJECT}=${project}`] } });
  return list
    .map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      service: c.Labels[LABEL_SERVICE] ?? '',
      number: Number(c.Labels[LABEL_NUMBER]),
      state: c.State,
      hash: c.Labels['com.docker.compose.config-hash'] ?? '',
    }))
    .sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number || a.name.localeCompare(b.name));
}

/** Anonymous volumes of the project, by `service#number:target`. */
export async function anonymousVolumes(project: string): Promise<Map<string, string[]>> {
  const { Volumes } = await dockerForTests().listVolumes({ filters: { label: [`${LABEL_PROJECT}=${project}`, LABEL_ANON_NUMBER] } });
  const byReplica = new Map<string, string[]>();
  for (const v of Volumes ?? []) {
    const key = `${v.Labels[LABEL_SERVICE] ?? ''}#${v.Labels[LABEL_ANON_NUMBER] ?? ''}:${v.Labels[LABEL_ANON_TARGET] ?? ''}`;
    byReplica.set(key, [...(byReplica.get(key) ?? []), v.Name]);
  }
  return byReplica;
}

/**
 * What must hold once the daemon has settled: exactly `desired` running replicas of the service,
 * numbered 1..desired, nothing else (no `-next`, nothing exited), one anonymous volume per replica
 * and target. Returns the problems; duplicates are counted separately for the table. Old
 * containers the engine could not remove, moved aside by the daemon (`<replica>-dead-<ms>`), are
 * neither replicas nor duplicates: they are returned as `stuck`.
 */
export async function checkReplicas(project: string, service: string, desired: number): Promise<{ problems: string[]; duplicates: number; replicas: Replica[]; stuck: Replica[] }> {
  const ofService = (await projectContainers(project)).filter((c) => c.service === service);
  const stuck = ofService.filter((c) => isSteppedAsideName(c.name, project, service, c.number));
  const all = ofService.filter((c) => !stuck.includes(c));
  const problems: string[] = [];
  let duplicates = 0;
  const byNumber = new Map<number, Replica[]>();
  for (const c of all) byNumber.set(c.number, [...(byNumber.get(c.number) ?? []), c]);
  for (const [n, list] of byNumber) {
    if (list.length > 1) {
      duplicates += list.length - 1;
      problems.push(`replica ${n} has ${list.length} containers: ${list.map((c) => `${c.name} (${c.state})`).join(', ')}`);
    }
  }
  const leftovers = all.filter((c) => c.name.endsWith('-next'));
  if (leftovers.length > 0) problems.push(`leftover surge containers: ${leftovers.map((c) => c.name).join(', ')}`);
  for (let n = 1; n <= desired; n++) {
    const list = byNumber.get(n) ?? [];
    if (!list.some((c) => c.state === 'running' && c.name === `${project}-${service}-${n}`)) problems.push(`replica ${n} is not running (${list.map((c) => `${c.name} ${c.state}`).join(', ') || 'missing'})`);
  }
  const extra = all.filter((c) => c.number > desired || !Number.isInteger(c.number));
  if (extra.length > 0) problems.push(`replicas beyond ${desired}: ${extra.map((c) => `${c.name} (${c.state})`).join(', ')}`);
  const hashes = new Set(all.map((c) => c.hash));
  if (hashes.size > 1) problems.push(`replicas run ${hashes.size} different configs`);
  for (const [key, names] of await anonymousVolumes(project)) {
    if (key.startsWith(`${service}#`) && names.length > 1) {
      duplicates += names.length - 1;
      problems.push(`anonymous volume ${key} exists ${names.length} times`);
    }
  }
  return { problems, duplicates, replicas: all, stuck };
}

/** Markers written into each replica's anonymous volume and into a named volume, per replica number. */
export class MarkerBook {
  /** replica number -> markers expected in its anonymous volume at `anonTarget`. */
  readonly anonymous = new Map<number, string[]>();
  /** replica number -> markers expected in `${namedTarget}/r<n>`. */
  readonly named = new Map<number, string[]>();

  constructor(
    readonly project: string,
    readonly service: string,
    readonly anonTarget = '/data',
    readonly namedTarget = '/shared',
  ) {}

  /** Writes `tag` into the volumes of every running replica 1..count (one exec each). */
  async write(count: number, tag: string): Promise<void> {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const n = i + 1;
        await docker('exec', `${this.project}-${this.service}-${n}`, 'sh', '-c', `echo ${tag} >> ${this.anonTarget}/markers && echo ${tag} >> ${this.namedTarget}/r${n} && sync`);
        this.anonymous.set(n, [...(this.anonymous.get(n) ?? []), tag]);
        this.named.set(n, [...(this.named.get(n) ?? []), tag]);
      }),
    );
  }

  /** Markers missing from replicas 1..count (which must be running), with where. */
  async missing(count: number): Promise<string[]> {
    const lost: string[] = [];
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const n = i + 1;
        const container = `${this.project}-${this.service}-${n}`;
        const anon = (await docker('exec', container, 'sh', '-c', `cat ${this.anonTarget}/markers 2>/dev/null || true`)).split('\n');
        const named = (await docker('exec', container, 'sh', '-c', `cat ${this.namedTarget}/r${n} 2>/dev/null || true`)).split('\n');
        for (const tag of this.anonymous.get(n) ?? []) if (!anon.includes(tag)) lost.push(`${container}:${this.anonTarget} lost ${tag}`);
        for (const tag of this.named.get(n) ?? []) if (!named.includes(tag)) lost.push(`${this.namedTarget}/r${n} lost ${tag}`);
      }),
    );
    return lost;
  }
}

/** Other vitest runs and benchmarks (this repo's or another clone's), not counting this run's own process tree. */
async function otherTestRuns(): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,args=']);
  const procs = new Map<number, { ppid: number; args: string }>();
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m) procs.set(Number(m[1]), { ppid: Number(m[2]), args: m[3]! });
  }
  const chain = (pid: number): number[] => {
    const out: number[] = [];
    for (let p = pid; p > 1 && out.length < 64; p = procs.get(p)?.ppid ?? 0) out.push(p);
    return out;
  };
  // This run's root: the outermost ancestor that is a vitest (or npm/npx running it).
  const mine = chain(process.pid);
  const root = [...mine].reverse().find((p) => /vitest|npm|npx/.test(procs.get(p)?.args ?? '')) ?? process.pid;
  return [...procs.entries()]
    .filter(([pid, p]) => /vitest|bench\/run\.mjs/.test(p.args) && !chain(pid).includes(root) && !/\bpgrep\b|\bps\b/.test(p.args))
    .map(([pid, p]) => `${pid} ${p.args}`);
}

/** Waits until no other test run uses the engine; false when one is still going after `timeoutMs`. */
export async function waitForQuietEngine(timeoutMs: number, say: (m: string) => void): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const others = await otherTestRuns();
    if (others.length === 0) return true;
    if (!announced) {
      say(`waiting for other test runs to finish before disrupting the engine: ${others.map((l) => l.slice(0, 120)).join(' | ')}`);
      announced = true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5_000));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Seeded RNG (mulberry32) so a run's random delays can be replayed with FAULTS_SEED. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FAULTS_SEED = Number(process.env['FAULTS_SEED'] ?? Date.now() % 1_000_000);
