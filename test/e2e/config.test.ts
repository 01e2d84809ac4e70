// `composed config > out.yaml && composed -f out.yaml config --hash '*'` gives the hashes of the
// original file: the printed project is a compose file that loads back to the same model.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPresent, CORPUS, readTsv } from '../conformance/corpus.js';
import { REPO_ROOT, runCli } from '../support/daemon.js';

const ENV = { HOME: '/home/user', COMPOSE_PROJECT_NAME: '', COMPOSE_FILE: '', COMPOSE_PROFILES: '' };

async function sameHashesThroughConfig(file: string, profiles: string[] = []): Promise<void> {
  const profileFlags = profiles.flatMap((p) => ['--profile', p]);
  const original = await runCli(['-f', file, ...profileFlags, 'config', '--hash', '*'], { cwd: dirname(file), env: ENV });
  expect(original.code, original.stderr).toBe(0);
  const printed = await runCli(['-f', file, ...profileFlags, 'config'], { cwd: dirname(file), env: ENV });
  expect(printed.code, printed.stderr).toBe(0);
  const out = join(mkdtempSync(join(tmpdir(), 'composed-config-')), 'out.yaml');
  writeFileSync(out, printed.stdout);
  const again = await runCli(['-f', out, ...profileFlags, 'config', '--hash', '*'], { cwd: dirname(out), env: ENV });
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).toBe(original.stdout);
  expect(original.stdout.trim().split('\n').length).toBeGreaterThan(0);
}

describe('composed config round trip', () => {
  it('examples/compose.yaml', () => sameHashesThroughConfig(join(REPO_ROOT, 'examples/compose.yaml')));
  it('a file using every setting composed keeps', () => sameHashesThroughConfig(join(REPO_ROOT, 'test/fixtures/compose/every-setting.yaml'), ['web']));
  it('the blog fixture', () => sameHashesThroughConfig(join(REPO_ROOT, 'test/fixtures/export/blog/compose.yaml')));

  it('-o writes the file; --format json is the same document; errors name file, line and key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'composed-config-'));
    const file = join(REPO_ROOT, 'examples/compose.yaml');
    expect((await runCli(['config', '-f', file, '-o', join(dir, 'o.yaml')], { env: ENV })).code).toBe(0);
    const yaml = await runCli(['config', '-f', file], { env: ENV });
    expect(readFileSync(join(dir, 'o.yaml'), 'utf8')).toBe(yaml.stdout);
    const json = JSON.parse((await runCli(['config', '-f', file, '--format', 'json'], { env: ENV })).stdout) as { services: Record<string, unknown> };
    expect(Object.keys(json.services)).toEqual(['cruncher', 'migrate', 'web', 'worker']);
    writeFileSync(join(dir, 'bad.yaml'), 'services:\n  web:\n    image: busybox\n    stop_grace_period: soon\n');
    const bad = await runCli(['config', '-f', join(dir, 'bad.yaml')], { cwd: dir, env: ENV });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^bad\.yaml:4:24 services\.web\.stop_grace_period: /m);
  });
});

describe.skipIf(!corpusPresent)('composed config round trip on awesome-compose', () => {
  const rows = corpusPresent ? readTsv('awesome-compose/INDEX.tsv', false) : [];
  it.each(rows.map((r) => r.path as string))('%s', (path) => sameHashesThroughConfig(join(CORPUS, 'awesome-compose', path)));
});
