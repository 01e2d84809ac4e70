// compose-go's data tables (interpolation, ports, volumes, bytes, durations, .env) run through our
// loader. Each table must agree on at least 95 % of its rows, and every row that disagrees must be
// one of the known, documented differences (docs/compose-support.md lists them with the reason).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseDotenv, readDotenvFile } from '../../src/compose/dotenv.js';
import { formatDiagnostic } from '../../src/compose/errors.js';
import type { PortMapping } from '../../src/compose/model.js';
import { buildProject } from '../../src/compose/project.js';
import { substitute } from '../../src/compose/template.js';
import { parseBytes, parseDuration } from '../../src/compose/units.js';
import { parseVolumeSpec } from '../../src/compose/volume-spec.js';
import { corpusPresent, CORPUS, newTable, readTsv, record, SKIP_REASON, summary, type TableResult } from './corpus.js';

const THRESHOLD = 0.95;

/** Rows that disagree on purpose; the key is what summary() prints. Keep docs/compose-support.md in step. */
const KNOWN_DISAGREEMENTS: Record<string, string[]> = {
  interpolation: [],
  ports: [],
  volumes: [],
  bytes: [],
  durations: [],
  '.env': [],
  '.env fixtures': [],
};

function check(t: TableResult): void {
  console.log(summary(t));
  expect(t.total).toBeGreaterThan(0);
  expect(t.agree / t.total, summary(t)).toBeGreaterThanOrEqual(THRESHOLD);
  expect([...t.disagreements.keys()].sort(), 'every disagreeing row is a known difference').toEqual([...(KNOWN_DISAGREEMENTS[t.name] ?? [])].sort());
}

const REQUIRED = /required variable \S+ is missing a value(: .*)?/;

describe.skipIf(!corpusPresent)('compose-go tables', () => {
  it('interpolation', () => {
    const t = newTable('interpolation');
    for (const row of readTsv('compose-go/cases/interpolation.tsv')) {
      const env = (row.env ?? {}) as Record<string, string>;
      const r = substitute(row.input as string, (k) => env[k]);
      const key = `#${row.id} ${JSON.stringify(row.input)}`;
      if (row.expected_error !== null) {
        // Messages are ours (with file:line:col); a required-variable error must name the same variable and reason.
        const want = REQUIRED.exec(row.expected_error as string)?.[0];
        const ok = !r.ok && (want === undefined || r.error === want);
        record(t, key, ok, r.ok ? `value ${JSON.stringify(r.value)}` : r.error);
      } else {
        const want = String(row.expected_output);
        record(t, key, r.ok && r.value === want, r.ok ? JSON.stringify(r.value) : r.error);
      }
    }
    check(t);
  });

  it('ports', () => {
    const t = newTable('ports');
    for (const row of readTsv('compose-go/cases/ports.tsv')) {
      const input = row.input;
      if (/ignoreParseError/.test(row.notes as string)) {
        t.excluded.push(`${JSON.stringify(input)}: compose-go parsing ports before interpolation; composed always interpolates first`);
        continue;
      }
      const list = Array.isArray(input) ? input : [input];
      const text = `services:\n  s:\n    image: x\n    ports: ${JSON.stringify(list)}\n`;
      const out = buildProject({ files: [{ path: '/p/compose.yaml', name: 'compose.yaml', text }], env: {}, workingDir: '/p', defaultProjectName: 'p', profiles: [], reader: { read: () => undefined } });
      const errors = out.diagnostics.filter((d) => d.severity === 'error');
      const key = JSON.stringify(input);
      if (row.expected_error !== null) {
        record(t, key, errors.length > 0, errors.length > 0 ? formatDiagnostic(errors[0]!) : 'accepted');
        continue;
      }
      if (!out.project) {
        record(t, key, false, errors.map(formatDiagnostic).join('; '));
        continue;
      }
      const expected = (Array.isArray(row.expected) ? row.expected : [row.expected]) as Array<Record<string, unknown>>;
      const ours = out.project.services.s!.ports.map(composeGoPort).sort();
      const theirs = expected.map((p) => (typeof p === 'string' ? p : canonicalPort(p))).sort();
      record(t, key, JSON.stringify(ours) === JSON.stringify(theirs), JSON.stringify(ours));
    }
    check(t);
  });

  it('volumes (Linux forms)', () => {
    const t = newTable('volumes');
    for (const row of readTsv('compose-go/cases/volumes.tsv')) {
      const input = row.input;
      if (typeof input !== 'string') {
        t.excluded.push(`${JSON.stringify(input)}: long form -> short string, a direction composed never needs`);
        continue;
      }
      if (isWindowsSpec(input)) {
        t.excluded.push(`${JSON.stringify(input)}: Windows path`);
        continue;
      }
      const r = parseVolumeSpec(input);
      const key = JSON.stringify(input);
      const expected = row.expected as Record<string, unknown> | null;
      if (row.expected_error !== null) {
        record(t, key, !r.ok, r.ok ? 'accepted' : r.error);
      } else if (expected && 'has_source' in expected) {
        const hasSource = r.ok && r.volume.source !== '';
        record(t, key, hasSource === expected.has_source, `has_source ${hasSource}`);
      } else {
        const ours = r.ok ? composeGoVolume(r.volume) : r.error;
        record(t, key, JSON.stringify(ours) === JSON.stringify(canonicalVolume(expected!)), JSON.stringify(ours));
      }
    }
    check(t);
  });

  it('bytes', () => {
    const t = newTable('bytes');
    for (const row of readTsv('compose-go/cases/bytes.tsv')) {
      let value: unknown = row.input;
      if (row.input_format === 'json') value = JSON.parse(row.input as string);
      else if (row.input_format === 'yaml') value = parseYaml(row.input as string);
      else if (typeof value === 'string' && value.includes(' with ')) value = interpolateWith(value);
      const ours = typeof value === 'string' || typeof value === 'number' ? parseBytes(value) : undefined;
      const key = `${JSON.stringify(row.input)} (${row.input_format})`;
      if (row.expected_error !== null) record(t, key, ours === undefined, String(ours));
      else record(t, key, ours === row.expected, String(ours));
    }
    check(t);
  });

  it('durations', () => {
    const t = newTable('durations');
    for (const row of readTsv('compose-go/cases/durations.tsv')) {
      const input = row.input as string;
      const ms = parseDuration(input.includes(' with ') ? interpolateWith(input) : input);
      record(t, `${JSON.stringify(input)} (${row.test})`, ms !== undefined && Math.round(ms * 1e6) === row.expected_ns, String(ms));
    }
    check(t);
  });

  it('.env', () => {
    const t = newTable('.env');
    for (const row of readTsv('compose-go/cases/dotenv.tsv')) {
      const env = (row.lookup_env ?? {}) as Record<string, string>;
      const files = (row.input as string).split(/\n--- then second file ---\n/);
      let values: Record<string, string> = {};
      let error: string | undefined;
      for (const text of files) {
        // Each file is read on its own (the environment wins inside ${}), later files win.
        const r = parseDotenv(text, (k) => env[k]);
        if (!r.ok) error = r.error;
        else values = { ...values, ...r.values };
      }
      const key = `${JSON.stringify(row.input)} (${row.test})`;
      if (row.expected_error !== null) {
        record(t, key, error !== undefined, error ?? JSON.stringify(values));
        continue;
      }
      const expected = row.expected as Record<string, string>;
      const ok = error === undefined && Object.entries(expected).every(([k, v]) => values[k] === v);
      record(t, key, ok, error ?? JSON.stringify(values));
    }
    check(t);
  });

  it('.env fixtures', () => {
    const t = newTable('.env fixtures');
    const fixtures = JSON.parse(readFileSync(join(CORPUS, 'compose-go/cases/dotenv_fixtures.json'), 'utf8')) as Array<{
      fixture: string; os_env: Record<string, string>; expected_subset?: Record<string, string>; expected_error?: string; exact_size?: boolean; test: string;
    }>;
    for (const f of fixtures) {
      const text = readFileSync(join(CORPUS, 'compose-go', f.fixture), 'utf8');
      const r = readDotenvFile(text, (k) => f.os_env[k]);
      const expected = f.expected_subset ?? {};
      const key = `${f.fixture} (${f.test})`;
      if (f.expected_error !== undefined) {
        const ours = r.ok ? 'parsed' : `line ${r.line}: ${r.error}`;
        record(t, key, ours === f.expected_error, ours);
        continue;
      }
      if (!r.ok) {
        record(t, key, false, r.error);
        continue;
      }
      const ok = Object.entries(expected).every(([k, v]) => r.values[k] === v) && (!f.exact_size || Object.keys(r.values).length === Object.keys(expected).length);
      record(t, key, ok, JSON.stringify(r.values));
    }
    check(t);
  });
});

describe.skipIf(corpusPresent)('compose-go tables', () => {
  it.skip(SKIP_REASON, () => undefined);
});

/** "${thesize} with thesize=2gb" rows: the value after interpolation. */
function interpolateWith(text: string): string {
  const [template, assignment] = text.split(' with ');
  const [name, value] = assignment!.split('=');
  const r = substitute(template!, (k) => (k === name ? value : undefined));
  return r.ok ? r.value : '';
}

function composeGoPort(p: PortMapping): string {
  return canonicalPort({ target: p.target, published: p.published, host_ip: p.hostIp, protocol: p.protocol, mode: p.mode });
}

function canonicalPort(p: Record<string, unknown>): string {
  return JSON.stringify({
    host_ip: p.host_ip ?? null,
    mode: p.mode ?? 'ingress',
    protocol: p.protocol ?? 'tcp',
    published: p.published === undefined || p.published === null ? null : String(p.published),
    target: p.target,
  });
}

function isWindowsSpec(s: string): boolean {
  return s.includes('\\') || /(^|:)[A-Za-z]:(\/|:|$)/.test(s);
}

function composeGoVolume(v: ReturnType<typeof parseVolumeSpec> extends infer R ? R extends { ok: true; volume: infer V } ? V : never : never): unknown {
  return {
    type: v.type,
    source: v.source === '' ? null : v.source,
    target: v.target,
    read_only: v.readOnly,
    create_host_path: v.type === 'bind',
    propagation: v.propagation ?? null,
    selinux: v.selinux ?? null,
    nocopy: v.nocopy,
  };
}

function canonicalVolume(e: Record<string, unknown>): unknown {
  const bind = (e.bind ?? {}) as Record<string, unknown>;
  const volume = (e.volume ?? {}) as Record<string, unknown>;
  return {
    type: e.type,
    source: e.source ?? null,
    target: e.target,
    read_only: e.read_only === true,
    create_host_path: bind.create_host_path === true,
    propagation: bind.propagation ?? null,
    selinux: bind.selinux ?? null,
    nocopy: volume.nocopy === true,
  };
}
