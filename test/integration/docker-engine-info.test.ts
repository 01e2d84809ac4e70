// The daemon says which engine it talks to: GET /v1/version and status carry name, version, API
// version and address, on whichever engine DOCKER_HOST (or the default socket) points at.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ProjectStatus, VersionResponse } from '../../src/protocol/api.js';
import { DaemonHandle } from '../support/daemon.js';
import { eventually } from '../support/eventually.js';
import { cleanupProject, describeWithEngine, runtimeForTests, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { engineKind } from '../engines/engine-kind.js';

const PROJECT = uniqueProjectName('engine-info');

describeWithEngine('which engine the daemon talks to', () => {
  let daemon: DaemonHandle;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'composed-engine-info-'));
    daemon = new DaemonHandle(dir);
    await daemon.start();
  });
  afterAll(async () => {
    await daemon?.stop();
    await cleanupProject(PROJECT);
  });

  it('names engine, version, API version and address in /v1/version and in status', async () => {
    const kind = await engineKind();
    const expectedAddress = process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
    const info = await runtimeForTests().engineInfo();
    expect(info).toMatchObject({ name: kind, address: expectedAddress, apiVersion: expect.stringMatching(/^1\.\d+$/) });

    const version = await daemon.client.json<VersionResponse>('/v1/version');
    expect(version.engine).toEqual(info);

    await writeFile(join(dir, 'compose.yaml'), `name: ${PROJECT}\nservices:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "600"]\n`);
    const up = await daemon.cli(['up'], { cwd: dir });
    expect(up.code).toBe(0);
    const status = await eventually(async () => {
      const s = await daemon.client.json<ProjectStatus>(`/v1/projects/${PROJECT}/status`);
      expect(s.engineInfo).toBeDefined();
      return s;
    });
    expect(status.engineInfo).toEqual(info);
  });
});
