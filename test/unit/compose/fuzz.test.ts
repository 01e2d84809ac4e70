// Loader fuzz: mutations of valid compose files (keys and values deleted, swapped, retyped,
// truncated; lines cut, duplicated and garbled) go through the pure core `buildProject`. Every
// result must be either a valid model or the loader's own diagnostics, each with a position; never
// an uncaught exception, never a hang.
//
// The repo's own seeds are one run, numbered the same on every clone; the shared corpus's seeds are
// a second run of their own, skipped where the corpus is absent.
//
// Reproduce a failure: FUZZ_SEED=<seed> FUZZ_ONLY=<iteration> npx vitest run test/unit/compose/fuzz.test.ts -t '<repo|shared>'
// More iterations: FUZZ_ITERATIONS=100000.
import { existsSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { formatDiagnostic, type Diagnostic } from '../../../src/compose/errors.js';
import { buildProject, type ProjectOutput } from '../../../src/compose/project.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20240917);
const ITERATIONS = Number(process.env['FUZZ_ITERATIONS'] ?? 10_000);
const ONLY = process.env['FUZZ_ONLY'] === undefined ? undefined : Number(process.env['FUZZ_ONLY']);
/** One buildProject call slower than this counts as a hang. */
const SLOW_MS = 2_000;
const WORKDIR = '/proj';

/** Small, fast, seedable: mulberry32. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(r: Random, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const int = (r: Random, max: number): number => Math.floor(r() * max);

// ---- the valid files mutated ------------------------------------------------------------------

const SEEDS: string[] = [
  `
name: shop
services:
  web:
    image: busybox:\${TAG:-latest}
    command: ["httpd", "-f", "-p", "80"]
    entrypoint: /bin/sh -c
    ports: ["80", "127.0.0.1::8080", "9000-9001/udp", {target: 81, protocol: tcp, host_ip: 127.0.0.1}]
    expose: ["3000", 4000]
    environment: {A: "1", B: "\${B:?B is required}", C: ~, EVIL: "$(rm -rf /)", TICK: "\`id\`"}
    env_file: [.env.web, {path: ./optional.env, required: false}]
    volumes:
      - site:/www:ro
      - ./html:/html
      - /var/lib/data
      - {type: tmpfs, target: /tmp, tmpfs: {size: 1m}}
      - {type: bind, source: ./conf, target: /conf, read_only: true, bind: {create_host_path: true}}
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
      interval: 2s
      timeout: 2s
      retries: 3
      start_period: 5s
    depends_on:
      migrate: {condition: service_completed_successfully, restart: true}
      cache: {condition: service_healthy, required: false}
    restart: unless-stopped
    deploy:
      replicas: 3
      resources: {limits: {cpus: "0.5", memory: 64m}, reservations: {memory: 16M}}
      restart_policy: {condition: on-failure, delay: 1s, max_attempts: 3, window: 20s}
      update_config: {parallelism: 2, delay: 1s, order: start-first, failure_action: rollback, monitor: 5s}
    labels: {com.example.team: shop, "a=b": "c\\"d"}
    networks:
      front: {aliases: [www], priority: 10}
      back: {}
    secrets: [api_key, {source: db_pass, target: /run/secrets/pass, mode: 0400}]
    configs: [{source: app_conf, target: /etc/app.conf}]
    stop_grace_period: 1m30s
    stop_signal: SIGINT
    ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 65535}
    sysctls: {net.core.somaxconn: 1024}
    extra_hosts: ["host.docker.internal:host-gateway", "a:1.2.3.4"]
    cap_add: [NET_ADMIN]
    tmpfs: /run
    x-composed:
      autoscale: {min: 1, max: 8, cpu: {target: 60, scale_up_above: 80, scale_down_below: 30}, interval: 5s, scale_down_stabilization: 60s}
      on_unhealthy: replace
      restart_backoff: {max: 60s}
  migrate:
    image: busybox
    restart: "no"
    command: sh -c 'echo migrating; exit 0'
    volumes: [site:/www]
  cache:
    image: busybox
    profiles: [cache]
    healthcheck: {test: ["CMD-SHELL", "true"], disable: false}
  worker:
    extends: {service: migrate}
    restart: on-failure:5
    scale: 2
    mem_limit: 1g
    cpus: 0.25
    user: "1000:1000"
    working_dir: /app
networks:
  front: {}
  back: {internal: true, driver_opts: {com.docker.network.bridge.name: br0}, labels: [a=b]}
  outside: {external: true, name: shared}
volumes:
  site: {labels: {keep: "yes"}}
  data: {external: true}
  sized: {driver: local, driver_opts: {type: tmpfs, device: tmpfs, o: size=1m}}
secrets:
  api_key: {file: ./api_key.txt}
  db_pass: {environment: DB_PASS}
configs:
  app_conf: {content: "listen 80\\n"}
x-common: &common {image: busybox, restart: always}
`,
  `
services:
  a: &base
    image: busybox:latest
    restart: always
    command: [sh, -c, "sleep 3600"]
    healthcheck: {test: NONE}
  b:
    <<: *base
    depends_on: [a]
    network_mode: "service:a"
  c:
    <<: *base
    build: {context: ., dockerfile: Dockerfile, args: {X: "1"}, target: prod}
    pull_policy: build
    deploy: {mode: global}
  d:
    image: "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    ports: ["80"]
    volumes: ["/:/host:ro", "/var/run/docker.sock:/var/run/docker.sock"]
    privileged: true
    security_opt: [no-new-privileges:true]
    devices: ["/dev/null:/dev/null"]
    dns: [1.1.1.1]
    logging: {driver: json-file, options: {max-size: 1m}}
`,
  `
version: "3.9"
include:
  - ./other/compose.yaml
services:
  web:
    image: busybox
    environment:
      - A=1
      - B
      - C=\${C:-default}
      - D=$$literal
    volumes:
      - type: volume
        source: v
        target: /v
        volume: {nocopy: true, subpath: sub}
    deploy:
      replicas: 0
  job:
    image: busybox
    restart: "no"
    init: true
    tty: true
    stdin_open: true
    read_only: true
    group_add: [audio]
    oom_kill_disable: true
    shm_size: 64m
volumes:
  v:
`,
  `
services:
  web:
    image: busybox
    volumes: !override ["a:/a"]
    ports: !reset []
volumes:
  a: {}
---
services:
  other: {image: busybox}
`,
];

const REPO = resolve(import.meta.dirname, '../../..');

/** The repo's own seeds: the same cases, numbered the same way, on every clone. */
const REPO_SEEDS = [...SEEDS, readFileSync(join(REPO, 'examples/compose.yaml'), 'utf8')];

/** Extra seeds from the shared corpus, a run of their own (skipped when the corpus is absent). */
const SHARED_SEED_FILES = [resolve(REPO, '../shared/conformance/compose-go/legacy-full-example/expected-output.yaml')];
const SHARED_SEEDS = SHARED_SEED_FILES.filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'));

/** Other files the loader may read (env_file, secrets, include, extends). Some exist, some do not. */
const OTHER_FILES: Record<string, string> = {
  [`${WORKDIR}/.env.web`]: 'X=1\nY="two words"\nexport Z=3\n# comment\n',
  [`${WORKDIR}/api_key.txt`]: 'secret-value-123',
  [`${WORKDIR}/other/compose.yaml`]: 'services:\n  included: {image: busybox}\n',
};

const ENV = { TAG: '1.0', B: 'b', EMPTY: '', EVIL: '$(rm -rf /)', DB_PASS: 'pw' };

// ---- mutations --------------------------------------------------------------------------------

const VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, 65536, 1e21, Number.NaN, '', 'x', 'yes', '0', '-1', '0.5', '99999999999999999999',
  '1h', '-5s', '1x', '${UNSET}', '${UNSET:?needed}', '${', '${A', '$', '$$', '$(rm -rf /)', '`id`', '\u0000', '\t', 'é☃',
  'host:80:80', '127.0.0.1::80', '80-70:80', '/:/host', '../../etc:/etc', 'a:b:c:d', 'x'.repeat(5000), 'on-failure:x', 'unless-stopped',
  [], {}, [1, 'a', null], { a: 1 }, [[[[]]]], { x: { y: { z: [] } } }, ['CMD'], { condition: 'bogus' },
];

const TEXT_INSERTS = ['\t', '{', '}', '[', ']', ':', '- ', '&a ', '*a', '*nope', '<<: *a\n', '!reset ', '!override ', '!!binary ', '${', '$$', '"', "'", '#', '\n', '\r\n', '\u0000', '\ufeff', '? ', '|\n', '>-\n', '%YAML 1.1\n', '---\n', '...\n'];

type Path = Array<string | number>;

/** Every path to a value in the tree (maps and lists included). */
function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function getAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const step of path) node = (node as Record<string | number, unknown>)?.[step];
  return node;
}

function parentOf(root: unknown, path: Path): { parent: Record<string | number, unknown> | unknown[]; key: string | number } | undefined {
  if (path.length === 0) return undefined;
  const parent = getAt(root, path.slice(0, -1));
  if (!parent || typeof parent !== 'object') return undefined;
  return { parent: parent as Record<string | number, unknown>, key: path[path.length - 1]! };
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  const at = parentOf(root, path);
  if (!at) return value;
  (at.parent as Record<string | number, unknown>)[at.key] = value;
  return root;
}

function truncate(r: Random, s: string): string {
  return s.slice(0, int(r, s.length + 1));
}

/** One structural mutation of the parsed tree; returns the new root. */
function mutateTree(r: Random, root: unknown): unknown {
  const all = paths(root);
  const path = pick(r, all);
  const op = int(r, 7);
  switch (op) {
    case 0: {
      // delete a key or list item
      const at = parentOf(root, path);
      if (!at) return null;
      if (Array.isArray(at.parent)) at.parent.splice(Number(at.key), 1);
      else delete (at.parent as Record<string, unknown>)[at.key];
      return root;
    }
    case 1: {
      // swap two values
      const other = pick(r, all);
      const a = structuredClone(getAt(root, path));
      const b = structuredClone(getAt(root, other));
      if (other.length > path.length && path.every((p, i) => other[i] === p)) return setAt(root, path, b);
      if (path.length > other.length && other.every((p, i) => path[i] === p)) return setAt(root, other, a);
      setAt(root, path, b);
      return setAt(root, other, a);
    }
    case 2:
      // retype a value
      return setAt(root, path, structuredClone(pick(r, VALUES)));
    case 3: {
      // truncate a value (strings, numbers as text, lists)
      const v = getAt(root, path);
      if (typeof v === 'string') return setAt(root, path, truncate(r, v));
      if (typeof v === 'number') return setAt(root, path, truncate(r, String(v)));
      if (Array.isArray(v)) return setAt(root, path, v.slice(0, int(r, v.length + 1)));
      return setAt(root, path, null);
    }
    case 4: {
      // truncate or garble a key
      const at = parentOf(root, path);
      if (!at || Array.isArray(at.parent)) return root;
      const obj = at.parent as Record<string, unknown>;
      const oldKey = String(at.key);
      const newKey = r() < 0.5 ? truncate(r, oldKey) : `${oldKey.slice(0, int(r, oldKey.length))}${pick(r, ['_', '-', '.', 'x', 'X', ' ', '$', '${A}', '/', '\u0000'])}${oldKey.slice(int(r, oldKey.length))}`;
      const value = obj[oldKey];
      delete obj[oldKey];
      obj[newKey] = value;
      return root;
    }
    case 5: {
      // duplicate a subtree somewhere else
      const v = structuredClone(getAt(root, path));
      const target = pick(r, all);
      const container = getAt(root, target);
      if (Array.isArray(container)) container.push(v);
      else if (container && typeof container === 'object') (container as Record<string, unknown>)[pick(r, ['image', 'services', 'x', 'deploy', 'volumes', 'ports', 'extends', 'include', 'environment'])] = v;
      return root;
    }
    default: {
      // wrap a value in a list or a map
      const v = getAt(root, path);
      return setAt(root, path, r() < 0.5 ? [v] : { [pick(r, ['a', 'image', 'target', 'source'])]: v });
    }
  }
}

/** One textual mutation: exercises the YAML parser and the positions it reports. */
function mutateText(r: Random, text: string): string {
  const lines = text.split('\n');
  switch (int(r, 6)) {
    case 0:
      return truncate(r, text);
    case 1:
      lines.splice(int(r, lines.length), 1);
      return lines.join('\n');
    case 2: {
      const i = int(r, lines.length);
      const j = int(r, lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    case 3: {
      const i = int(r, lines.length);
      lines.splice(i, 0, lines[int(r, lines.length)]!);
      return lines.join('\n');
    }
    case 4: {
      const at = int(r, text.length + 1);
      return `${text.slice(0, at)}${pick(r, TEXT_INSERTS)}${text.slice(at)}`;
    }
    default: {
      // re-indent a line
      const i = int(r, lines.length);
      lines[i] = r() < 0.5 ? (lines[i] ?? '').replace(/^ {1,2}/, '') : `  ${lines[i] ?? ''}`;
      return lines.join('\n');
    }
  }
}

interface Case {
  iteration: number;
  texts: string[];
}

function makeCase(seeds: readonly string[], iteration: number): Case {
  const r = rng((SEED ^ Math.imul(iteration + 1, 0x9e3779b1)) >>> 0);
  const seed = seeds[iteration % seeds.length]!;
  let text: string;
  if (r() < 0.7) {
    // The first document as plain data (tags such as !reset are dropped here; text mutations keep them).
    let tree: unknown = parseAllDocuments(seed, { merge: true, uniqueKeys: false, logLevel: 'silent' })[0]?.toJS({ maxAliasCount: -1 }) ?? null;
    const count = 1 + int(r, 4);
    for (let i = 0; i < count; i++) tree = mutateTree(r, tree);
    text = stringify(tree, { aliasDuplicateObjects: false });
    if (r() < 0.2) text = mutateText(r, text);
  } else {
    text = seed;
    const count = 1 + int(r, 3);
    for (let i = 0; i < count; i++) text = mutateText(r, text);
  }
  // Sometimes a second file to merge over the first.
  const texts = r() < 0.15 ? [text, mutateText(r, seeds[int(r, seeds.length)]!)] : [text];
  return { iteration, texts };
}

function run(c: Case): ProjectOutput {
  const names = ['compose.yaml', 'override.yaml'];
  return buildProject({
    files: c.texts.map((text, i) => ({ path: `${WORKDIR}/${names[i]}`, name: names[i]!, text })),
    env: ENV,
    workingDir: WORKDIR,
    defaultProjectName: 'proj',
    profiles: c.iteration % 3 === 0 ? ['*'] : [],
    reader: { read: (p) => OTHER_FILES[p] },
  });
}

/** What is wrong with an outcome, or undefined when it is one of the two allowed shapes. */
function problemWith(out: ProjectOutput, fileNames: Set<string>): string | undefined {
  if (!out || !Array.isArray(out.diagnostics)) return 'no diagnostics list';
  for (const d of out.diagnostics) {
    const bad = diagnosticProblem(d, fileNames);
    if (bad) return `${bad}: ${JSON.stringify(d)}`;
  }
  const errors = out.diagnostics.filter((d) => d.severity === 'error');
  if (out.project && errors.length > 0) return `a project and ${errors.length} errors`;
  if (!out.project && errors.length === 0) return 'neither a project nor an error';
  if (out.project) {
    const p = out.project;
    if (typeof p.name !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/.test(p.name)) return `invalid project name ${JSON.stringify(p.name)}`;
    for (const [name, s] of Object.entries(p.services)) {
      if (s.name !== name) return `service ${name} is named ${s.name}`;
      if (typeof s.image !== 'string' && !s.build) return `service ${name} has neither image nor build`;
      if (!Number.isInteger(s.replicas) || s.replicas < 0) return `service ${name} has replicas ${String(s.replicas)}`;
    }
    JSON.stringify(p);
  }
  return undefined;
}

/**
 * The names a diagnostic may carry: the compose files as given, and every other file the loader
 * can read named as docker compose prints it (relative to the working directory), or a path
 * outside it in full.
 */
const KNOWN_FILES = new Set(['compose.yaml', 'override.yaml', ...Object.keys(OTHER_FILES).map((p) => posix.relative(WORKDIR, p))]);

function diagnosticProblem(d: Diagnostic, fileNames: Set<string>): string | undefined {
  if (d.severity !== 'error' && d.severity !== 'warning') return 'bad severity';
  if (typeof d.message !== 'string' || d.message.trim() === '') return 'no message';
  if (typeof d.path !== 'string') return 'no key path';
  if (!Number.isInteger(d.line) || d.line < 0 || !Number.isInteger(d.column) || d.column < 0) return 'no position';
  if (typeof d.file !== 'string' || d.file === '') return 'no file';
  if (!fileNames.has(d.file) && !d.file.startsWith('/')) return `unknown file ${d.file}`;
  formatDiagnostic(d);
  return undefined;
}

/**
 * Mutates the seeds `count` times and checks every outcome. `minShare` is how much of each outcome
 * (valid, rejected) the run must produce, or its mutations test nothing.
 */
function fuzz(seeds: readonly string[], label: string, count: number, minShare: number): void {
  const failures: string[] = [];
  let valid = 0;
  let invalid = 0;
  let slowest = 0;
  const iterations = ONLY === undefined ? [...Array(count).keys()] : [ONLY];
  for (const i of iterations) {
    const c = makeCase(seeds, i);
    const started = performance.now();
    let out: ProjectOutput | undefined;
    let problem: string | undefined;
    try {
      out = run(c);
      problem = problemWith(out, KNOWN_FILES);
    } catch (error) {
      problem = `uncaught ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    }
    const ms = performance.now() - started;
    slowest = Math.max(slowest, ms);
    if (ms > SLOW_MS) problem ??= `took ${Math.round(ms)} ms`;
    if (problem) {
      if (failures.length < 5) failures.push(`${label} iteration ${i} (FUZZ_SEED=${SEED} FUZZ_ONLY=${i}): ${problem}\n--- input ---\n${c.texts.join('\n--- next file ---\n').slice(0, 3000)}`);
      else failures.push(`iteration ${i}`);
    } else if (out?.project) valid++;
    else invalid++;
  }
  console.log(`loader fuzz (${label}): seed ${SEED}, ${iterations.length} cases, ${valid} valid, ${invalid} rejected with positioned errors, slowest ${slowest.toFixed(1)} ms, ${failures.length} failures`);
  expect(failures.slice(0, 6).join('\n\n')).toBe('');
  if (ONLY === undefined) {
    expect(valid).toBeGreaterThan(iterations.length * minShare);
    expect(invalid).toBeGreaterThan(iterations.length * minShare);
  }
}

/** The shared seed is one large file that few mutations leave valid, and each case is slower. */
const SHARED_ITERATIONS = Math.ceil(ITERATIONS / 10);

describe('compose loader fuzz', () => {
  it(`survives ${ITERATIONS} mutations of the repo's seed files (seed ${SEED}) with a valid model or positioned errors`, { timeout: 600_000 }, () => {
    fuzz(REPO_SEEDS, 'repo seeds', ITERATIONS, 1 / 20);
  });

  it.skipIf(SHARED_SEEDS.length === 0)(`survives ${SHARED_ITERATIONS} mutations of the shared corpus's seed files (seed ${SEED})`, { timeout: 600_000 }, () => {
    fuzz(SHARED_SEEDS, 'shared seeds', SHARED_ITERATIONS, 1 / 500);
  });
});

describe('compose loader fuzz seeds', () => {
  it.each(SEEDS.map((text, i) => [i, text] as const))('seed file %i is valid before it is mutated', (_i, text) => {
    const out = run({ iteration: 1, texts: [text] });
    expect(out.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  });
});
