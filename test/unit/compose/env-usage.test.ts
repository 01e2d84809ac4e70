// The loader says which of the caller's variables the files referenced: all the daemon is sent
// and keeps, so a token in the shell never leaves it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { layeredEnv } from '../../../src/compose/env-usage.js';
import { loadProject } from '../../../src/compose/load.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'composed-env-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('keeps interpolated names, environment names passed through, env_file interpolation, HOME for ~ and the COMPOSE_* read, and nothing else', async () => {
  writeFileSync(join(dir, 'compose.yaml'), `
services:
  web:
    image: "app:\${TAG:-latest}"
    environment: [PASSED, "FIXED=1"]
    env_file: app.env
    volumes: ["~/data:/data"]
`);
  writeFileSync(join(dir, 'app.env'), 'FROM_FILE=${IN_ENV_FILE}\n');
  writeFileSync(join(dir, '.env'), 'TAG=from-dotenv\nDOTENV_ONLY=x\n');
  const shell = { TAG: 'v2', PASSED: 'p', IN_ENV_FILE: 'e', HOME: '/home/alice', COMPOSE_PROFILES: '', AWS_SECRET_ACCESS_KEY: 'never', PATH: '/usr/bin', UNSET_ONE: undefined };
  const loaded = await loadProject({ cwd: dir, env: shell });
  expect(loaded.environment).toEqual({ COMPOSE_PROFILES: '', HOME: '/home/alice', IN_ENV_FILE: 'e', PASSED: 'p', TAG: 'v2' });
  expect(loaded.project.services['web']!.image).toBe('app:v2');
  // The same load from only what was kept gives the same project.
  const again = await loadProject({ cwd: dir, env: loaded.environment });
  expect(again.project).toEqual(loaded.project);
});

it('a layered environment reads the upper layer first and notes only the names read', () => {
  const read: string[] = [];
  const env = layeredEnv({ A: 'upper', B: 'b' }, { A: 'lower', C: 'c' }, (name) => read.push(name));
  expect([env['A'], env['C'], 'B' in env, env['Z']]).toEqual(['upper', 'c', true, undefined]);
  expect(read).toEqual(['A', 'C', 'B', 'Z']);
  // Copying it reads every upper name: counted, so nothing is kept that a copy might have used.
  read.length = 0;
  expect({ ...env }).toEqual({ A: 'upper', B: 'b', C: 'c' });
  expect(read).toEqual(expect.arrayContaining(['A', 'B']));
});
