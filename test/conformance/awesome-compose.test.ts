// Every real-world compose file of the awesome-compose sample collection loads and normalizes.
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ComposeError, formatDiagnostic } from '../../src/compose/errors.js';
import { loadProject } from '../../src/compose/load.js';
import { corpusPresent, CORPUS, readTsv, SKIP_REASON } from './corpus.js';

/**
 * The environment the samples are loaded with. None of them needs more: the four that use ${VAR}
 * ship a .env defining every variable, and the eight with file secrets ship db/password.txt.
 */
const ENV = { HOME: '/home/user', PATH: '/usr/bin:/bin' };

describe.skipIf(!corpusPresent)('awesome-compose samples', () => {
  const rows = corpusPresent ? readTsv('awesome-compose/INDEX.tsv', false) : [];

  it('lists the samples', () => {
    expect(rows.length).toBeGreaterThanOrEqual(39);
  });

  it.each(rows.map((r) => r.path as string))('%s loads', async (path) => {
    const file = join(CORPUS, 'awesome-compose', path);
    try {
      const { project } = await loadProject({ cwd: dirname(file), files: [file], env: ENV });
      expect(Object.keys(project.services).length).toBeGreaterThan(0);
    } catch (e) {
      if (e instanceof ComposeError) throw new Error(e.diagnostics.map(formatDiagnostic).join('\n'));
      throw e;
    }
  });

  it('loads them all', async () => {
    let loaded = 0;
    for (const row of rows) {
      const file = join(CORPUS, 'awesome-compose', row.path as string);
      await loadProject({ cwd: dirname(file), files: [file], env: ENV }).then(() => loaded++, () => undefined);
    }
    console.log(`awesome-compose: ${loaded}/${rows.length} samples load`);
    expect(loaded).toBe(rows.length);
  });
});

describe.skipIf(corpusPresent)('awesome-compose samples', () => {
  it.skip(SKIP_REASON, () => undefined);
});
