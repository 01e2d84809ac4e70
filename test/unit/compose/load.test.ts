import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ComposeError, formatDiagnostic } from '../../../src/compose/errors.js';
import { loadProject } from '../../../src/compose/load.js';

let root: string;
const write = (rel: string, text: string): void => {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
};
const failure = async (p: Promise<unknown>): Promise<string[]> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof ComposeError) return e.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    throw e;
  }
  throw new Error('expected a ComposeError');
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'composed-load-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('finding the compose files', () => {
  it('finds compose.yaml in the cwd or a parent, with its override file, and names the project after the directory', async () => {
    write('My_App.1/compose.yaml', 'services:\n  web: {image: x}\n');
    write('My_App.1/compose.override.yaml', 'services:\n  web: {environment: [A=1]}\n');
    mkdirSync(join(root, 'My_App.1/sub/deeper'), { recursive: true });
    const { project } = await loadProject({ cwd: join(root, 'My_App.1/sub/deeper'), env: {} });
    expect(project.name).toBe('my_app1');
    expect(project.workingDir).toBe(join(root, 'My_App.1'));
    expect(project.configFiles).toEqual([join(root, 'My_App.1/compose.yaml'), join(root, 'My_App.1/compose.override.yaml')]);
    expect(project.services.web!.environment).toEqual({ A: '1' });
  });

  it('prefers the first default name', async () => {
    write('p/docker-compose.yml', 'services:\n  old: {image: x}\n');
    write('p/compose.yaml', 'services:\n  new: {image: x}\n');
    expect(Object.keys((await loadProject({ cwd: join(root, 'p'), env: {} })).project.services)).toEqual(['new']);
  });

  it('takes -f files in order, and COMPOSE_FILE when none is given', async () => {
    write('a.yaml', 'services:\n  web: {image: a}\n');
    write('b.yaml', 'services:\n  web: {image: b}\n');
    expect((await loadProject({ cwd: root, env: {}, files: ['a.yaml', 'b.yaml'] })).project.services.web!.image).toBe('b');
    expect((await loadProject({ cwd: root, env: { COMPOSE_FILE: 'b.yaml:a.yaml' } })).project.services.web!.image).toBe('a');
    expect((await loadProject({ cwd: root, env: { COMPOSE_FILE: 'a.yaml;b.yaml', COMPOSE_PATH_SEPARATOR: ';' } })).project.services.web!.image).toBe('b');
  });

  it('fails clearly when there is no file', async () => {
    expect((await failure(loadProject({ cwd: root, env: {} })))[0]).toMatch(/no compose file found in .* or its parents/);
    expect(await failure(loadProject({ cwd: root, env: {}, files: ['nope.yaml'] }))).toEqual([`nope.yaml: cannot read compose file ${join(root, 'nope.yaml')}`]);
  });
});

describe('environment and names', () => {
  it('reads .env beside the first file under the process environment', async () => {
    write('app/compose.yaml', 'services:\n  web:\n    image: "img:${TAG}"\n    environment: [FROM_DOTENV, SHARED]\n');
    write('app/.env', 'TAG=from-dotenv\nFROM_DOTENV=yes\nSHARED=dotenv\n');
    const { project } = await loadProject({ cwd: root, env: { SHARED: 'process' }, files: ['app/compose.yaml'] });
    expect(project.services.web!.image).toBe('img:from-dotenv');
    expect(project.services.web!.environment).toEqual({ FROM_DOTENV: 'yes', SHARED: 'process' });
    expect(project.dependencyFiles).toEqual([join(root, 'app/.env')]);
  });

  it('takes the project name from -p, COMPOSE_PROJECT_NAME (also in .env), then name:', async () => {
    write('compose.yaml', 'name: from-file\nservices:\n  web: {image: x}\n');
    expect((await loadProject({ cwd: root, env: {} })).project.name).toBe('from-file');
    expect((await loadProject({ cwd: root, env: { COMPOSE_PROJECT_NAME: 'from-env' } })).project.name).toBe('from-env');
    expect((await loadProject({ cwd: root, env: { COMPOSE_PROJECT_NAME: 'from-env' }, projectName: 'from-flag' })).project.name).toBe('from-flag');
    write('.env', 'COMPOSE_PROJECT_NAME=from-dotenv\n');
    expect((await loadProject({ cwd: root, env: {} })).project.name).toBe('from-dotenv');
  });

  it('takes profiles from --profile, else COMPOSE_PROFILES', async () => {
    write('compose.yaml', 'services:\n  web: {image: x}\n  dbg: {image: x, profiles: [debug]}\n  ops: {image: x, profiles: [ops]}\n');
    expect(Object.keys((await loadProject({ cwd: root, env: { COMPOSE_PROFILES: 'debug,ops' } })).project.services)).toEqual(['dbg', 'ops', 'web']);
    expect(Object.keys((await loadProject({ cwd: root, env: { COMPOSE_PROFILES: 'debug' }, profiles: ['ops'] })).project.services)).toEqual(['ops', 'web']);
  });

  it('reports a bad .env line with its position', async () => {
    write('compose.yaml', 'services:\n  web: {image: x}\n');
    write('.env', 'OK=1\nBAD="open\n');
    expect(await failure(loadProject({ cwd: root, env: {} }))).toEqual(['.env:2:1: unterminated quoted value "open']);
  });

  it('returns warnings with the project', async () => {
    write('compose.yaml', 'version: "3"\nservices:\n  web: {image: x}\n');
    const { warnings } = await loadProject({ cwd: root, env: {} });
    expect(warnings.map(formatDiagnostic)).toEqual(['warning: compose.yaml:1:1 version: the top-level version is obsolete and ignored']);
  });
});
