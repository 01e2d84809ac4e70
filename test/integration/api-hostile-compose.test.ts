// Hostile compose content through a real daemon: values that look like shell stay literal (nothing
// runs on the host, the container gets the exact bytes), labels with quotes and newlines arrive
// unchanged, bind mounts of / and the Docker socket are warned about with their position, and
// secrets (a `secrets:` file, environment values) never show in logs, events, status or metrics.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ProjectStatus } from '../../src/protocol/api.js';
import { DaemonHandle, newDaemon, runCli, writeProject } from '../support/daemon.js';
import { cleanupProject, describeWithEngine, dockerForTests, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

describeWithEngine('hostile compose content and secrets', () => {
  const project = uniqueProjectName('hostile');
  const mark = randomBytes(4).toString('hex');
  const pwned = `/tmp/composed-pwned-${mark}`;
  const secretFileValue = `FILE-SECRET-${mark}`;
  const envValue = `ENV-SECRET-${mark}`;
  const interpolated = `INTERP-SECRET-${mark}`;
  const hostileLabel = `a"b'c\n$(touch ${pwned})\`touch ${pwned}\`\u00e9`;
  let daemon: DaemonHandle;
  let dir: string;

  beforeAll(async () => {
    daemon = await newDaemon();
    await daemon.start();
    ({ dir } = await writeProject(`
name: ${project}
services:
  app:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "echo started; while true; do sleep 0.5; done"]
    environment:
      SUBST: "$$(touch ${pwned})"
      TICKS: "\`touch ${pwned}\`"
      PASSWORD: "${envValue}"
      FROM_CLI: "\${CLI_SECRET}"
    labels:
      dev.example.hostile: ${JSON.stringify(hostileLabel)}
    secrets: [token]
    deploy: { restart_policy: { delay: 0s } }
secrets:
  token:
    file: ./token.txt
`));
    await writeFile(join(dir, 'token.txt'), secretFileValue);
    const up = await daemon.cli(['up', '--wait'], { cwd: dir, env: { CLI_SECRET: interpolated } });
    expect(up.code, up.stderr).toBe(0);
    // A replacement, so logs and events have something to say about the replica.
    await dockerForTests().getContainer(`${project}-app-1`).kill();
    await eventually(async () => {
      const status = await daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`);
      expect(status.services[0]?.restarts).toBeGreaterThan(0);
      expect(status.services[0]?.ready).toBe(1);
    });
  });

  afterAll(async () => {
    await daemon.stop();
    await cleanupProject(project);
  });

  it('values that look like shell reach the container literally and run nothing on the host', async () => {
    const info = await dockerForTests().getContainer(`${project}-app-1`).inspect();
    expect(info.Config.Env).toContain(`SUBST=$(touch ${pwned})`);
    expect(info.Config.Env).toContain(`TICKS=\`touch ${pwned}\``);
    expect(info.Config.Labels['dev.example.hostile']).toBe(hostileLabel);
    expect(info.Name).toBe(`/${project}-app-1`);
    expect(existsSync(pwned)).toBe(false);
  });

  it('the secret file, environment values and interpolated values never appear in logs, events, status or metrics', async () => {
    const status = await daemon.cli(['status', '--json', '-p', project]);
    const events = await daemon.cli(['events', '--json', '--no-follow', '-p', project]);
    const ps = await daemon.cli(['ps', '-p', project]);
    let metrics = '';
    for await (const chunk of daemon.client.stream('/metrics')) metrics += chunk;
    const outputs = { 'status --json': status.stdout, 'events --json': events.stdout, ps: ps.stdout, metrics, 'daemon log': daemon.log() };
    expect(status.code).toBe(0);
    expect(events.stdout).toMatch(/replica-replaced/);
    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of [secretFileValue, envValue, interpolated]) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
  });

  it('`config` shows them as docker compose config does: the secret by its file, environment values as written', async () => {
    const config = await runCli(['config', '--format', 'json'], { cwd: dir, env: { CLI_SECRET: interpolated } });
    expect(config.code, config.stderr).toBe(0);
    expect(config.stdout).not.toContain(secretFileValue);
    expect(config.stdout).toContain(join(dir, 'token.txt'));
    expect(config.stdout).toContain(envValue);
  });

  it('bind mounts of / and the Docker socket are warned about by `config`, with file:line:col', async () => {
    const { dir: other } = await writeProject(`
name: ${project}-binds
services:
  peek:
    image: ${TEST_IMAGE}
    volumes:
      - /:/host:ro
      - /var/run/docker.sock:/var/run/docker.sock
      - type: bind
        source: /var/run/
        target: /run-host
      - ./data:/data
`);
    const config = await runCli(['config'], { cwd: other });
    expect(config.code, config.stderr).toBe(0);
    const warnings = config.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual([
      expect.stringMatching(/^warning: compose\.yaml:7:9 services\.peek\.volumes\[0\]: bind mount of the host's root filesystem/),
      expect.stringMatching(/^warning: compose\.yaml:8:9 services\.peek\.volumes\[1\]: bind mount of the Docker socket/),
      expect.stringMatching(/^warning: compose\.yaml:9:9 services\.peek\.volumes\[2\]: bind mount of the directory holding the Docker socket/),
    ]);
  });
});

describeWithEngine('warnings of a running project', () => {
  const project = uniqueProjectName('binds');
  let daemon: DaemonHandle;

  beforeAll(async () => {
    daemon = await newDaemon();
    await daemon.start();
  });

  afterAll(async () => {
    await daemon.stop();
    await cleanupProject(project);
  });

  it('`status --json` carries the bind-mount warning of the config it runs, with its position', async () => {
    const { dir } = await writeProject(`
name: ${project}
services:
  peek:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "while true; do sleep 1; done"]
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
`);
    const up = await daemon.cli(['up', '--wait'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const status = await daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`);
    expect(status.warnings).toEqual([expect.objectContaining({ severity: 'warning', line: 8, column: 9, path: 'services.peek.volumes[0]', message: expect.stringMatching(/^bind mount of the Docker socket/) })]);
  });
});
