// `composed config` prints the normalized project as a compose file that loads back to the same
// model: every service, network, volume and setting, and so the same config hashes.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ComposeError, formatDiagnostic } from '../../../src/compose/errors.js';
import { serviceConfigHash } from '../../../src/compose/hash.js';
import { loadProject } from '../../../src/compose/load.js';
import type { Project } from '../../../src/compose/model.js';
import { duration, projectToCompose } from '../../../src/compose/to-compose.js';
import { corpusPresent, CORPUS, readTsv, REPO_ROOT } from '../../conformance/corpus.js';

const ENV = { HOME: '/home/user', PATH: '/usr/bin:/bin' };

/** The model minus where it was read from. */
function comparable(p: Project): unknown {
  const { configFiles: _c, dependencyFiles: _d, workingDir: _w, disabledServices: _s, ...rest } = p;
  return JSON.parse(JSON.stringify(rest));
}

async function roundTrip(file: string, profiles: string[] = []): Promise<{ before: Project; after: Project }> {
  const { project: before } = await loadProject({ cwd: dirname(file), files: [file], env: ENV, profiles }).catch((e: unknown) => {
    throw e instanceof ComposeError ? new Error(e.diagnostics.map(formatDiagnostic).join('\n')) : e;
  });
  const out = join(mkdtempSync(join(tmpdir(), 'composed-roundtrip-')), 'out.yaml');
  writeFileSync(out, stringify(projectToCompose(before), { lineWidth: 0, aliasDuplicateObjects: false }));
  const { project: after } = await loadProject({ cwd: dirname(out), files: [out], env: {}, profiles: before.profiles }).catch((e: unknown) => {
    throw e instanceof ComposeError ? new Error(e.diagnostics.map(formatDiagnostic).join('\n')) : e;
  });
  return { before, after };
}

const local = [
  'examples/compose.yaml',
  'test/fixtures/export/blog/compose.yaml',
  'bench/fixtures/twenty/compose.yaml',
].map((f) => join(REPO_ROOT, f)).filter(existsSync);

describe('composed config loads back to the same model', () => {
  it.each(local)('%s', async (file) => {
    const { before, after } = await roundTrip(file);
    expect(comparable(after)).toEqual(comparable(before));
    for (const name of Object.keys(before.services)) expect(serviceConfigHash(after.services[name]!)).toBe(serviceConfigHash(before.services[name]!));
  });

  it('every setting the model has, written out and read back', async () => {
    const file = join(REPO_ROOT, 'test/fixtures/compose/every-setting.yaml');
    const { before, after } = await roundTrip(file, ['web']);
    expect(comparable(after)).toEqual(comparable(before));
    expect(before.services.web!.environment.PRICE).toBe('$5');
  });

  it('durations read as compose reads them', () => {
    expect([0, 1500, 2000, 90_000, 3_600_000, 3_723_000].map(duration)).toEqual(['0s', '1500ms', '2s', '1m30s', '1h', '1h2m3s']);
  });
});

describe.skipIf(!corpusPresent)('awesome-compose samples through composed config', () => {
  const rows = corpusPresent ? readTsv('awesome-compose/INDEX.tsv', false) : [];
  it.each(rows.map((r) => r.path as string))('%s', async (path) => {
    const { before, after } = await roundTrip(join(CORPUS, 'awesome-compose', path));
    expect(comparable(after)).toEqual(comparable(before));
  });
});

// Keeps `parse` honest about the printed text being plain YAML a reader can take apart.
it('prints plain YAML', async () => {
  const { project } = await loadProject({ cwd: REPO_ROOT, files: [join(REPO_ROOT, 'examples/compose.yaml')], env: ENV });
  const doc = parse(stringify(projectToCompose(project))) as { services: Record<string, { image: string }> };
  expect(doc.services.web!.image).toBe(project.services.web!.image);
});
