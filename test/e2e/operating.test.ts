// Operating it end to end: the daemon under a systemd-like supervisor (sd_notify), /metrics, events,
// and `logs -f` through a replacement.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ProjectStatus } from '../../src/protocol/api.js';
import { CLI, DaemonHandle, newDaemon, writeProject } from '../support/daemon.js';
import { cleanupProject, describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { Receiver } from '../support/notify-receiver.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

interface Metric {
  name: string;
  metrics: Array<{ value?: string; labels?: Record<string, string> }>;
}

async function scrape(daemon: DaemonHandle): Promise<Metric[]> {
  const chunks: string[] = [];
  for await (const chunk of daemon.client.stream('/metrics')) chunks.push(chunk);
  return parsePrometheusTextFormat(chunks.join('')) as Metric[];
}

function value(metrics: Metric[], name: string, labels: Record<string, string>): number | undefined {
  const family = metrics.find((m) => m.name === name);
  const sample = family?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  return sample?.value === undefined ? undefined : Number(sample.value);
}

describeWithEngine('operating: systemd notify, metrics, events and logs', () => {
  const project = uniqueProjectName('ops');
  let daemon: DaemonHandle;
  let receiver: Receiver;
  let dir: string;

  beforeAll(async () => {
    daemon = await newDaemon();
    const notifySocket = join(daemon.dir, 'notify.sock');
    receiver = await Receiver.bind(notifySocket);
    process.env.NOTIFY_SOCKET = notifySocket;
    try {
      await daemon.start();
    } finally {
      delete process.env.NOTIFY_SOCKET;
    }
    ({ dir } = await writeProject(`
name: ${project}
services:
  app:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "echo hello from $$HOSTNAME; while true; do sleep 0.2; done"]
    deploy: { replicas: 2, restart_policy: { delay: 0s } }
`));
    expect((await daemon.cli(['up', '--wait'], { cwd: dir })).code).toBe(0);
  });

  afterAll(async () => {
    await daemon.stop();
    receiver.close();
    await cleanupProject(project);
  });

  it('sends READY=1 with a STATUS line once it has adopted containers', async () => {
    const ready = await eventually(() => {
      const d = receiver.datagrams.find((x) => x.fields.READY === '1');
      expect(d).toBeDefined();
      return d!;
    });
    expect(ready.pid).toBe(daemon.process?.pid);
    expect(ready.fields.STATUS).toMatch(/^\d+ projects, \d+\/\d+ replicas ready/);
  });

  it('/metrics parses as Prometheus text and its restart counter moves when a replica is replaced', async () => {
    const before = await scrape(daemon);
    expect(value(before, 'composed_replicas_desired', { project, service: 'app' })).toBe(2);
    expect(value(before, 'composed_replicas_ready', { project, service: 'app' })).toBe(2);
    const restartsBefore = value(before, 'composed_restarts_total', { project, service: 'app', reason: 'exit' }) ?? 0;
    docker('kill', `${project}-app-1`);
    await eventually(async () => {
      const after = await scrape(daemon);
      expect(value(after, 'composed_restarts_total', { project, service: 'app', reason: 'exit' })).toBe(restartsBefore + 1);
      expect(value(after, 'composed_last_exit_code', { project, service: 'app' })).toBe(137);
      expect(value(after, 'composed_replicas_ready', { project, service: 'app' })).toBe(2);
    });
  });

  it('`events` shows the replacement with its cause; `logs -f` continues under the same prefix after it', async () => {
    const follow = spawn(process.execPath, ['--', CLI, 'logs', '-f', '-p', project, 'app'], { env: { ...process.env, COMPOSED_SOCKET: daemon.socket } });
    let output = '';
    follow.stdout.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await eventually(() => expect(output.match(/^app-2 \| hello from/gm)?.length).toBe(1));
      const before = (await daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`)).services[0]!.replicas[1]!.containerId!;
      docker('kill', before);
      // The successor prints its own hello, followed under the same replica name.
      await eventually(() => expect(output.match(/^app-2 \| hello from/gm)?.length).toBe(2), { timeoutMs: 20_000 });
    } finally {
      follow.kill();
    }
    const events = await daemon.cli(['events', '--no-follow', '-p', project]);
    expect(events.stdout).toMatch(new RegExp(`${project}/app#2 backoff: exited 137; restart \\d+ after 0 ms`));
    expect(events.stdout).toMatch(new RegExp(`${project}/app#2 replica-replaced: exited 137`));
  });

  it('SIGTERM sends STOPPING=1 and leaves the containers running', async () => {
    const running = docker('ps', '-q', '--filter', `label=com.docker.compose.project=${project}`).split('\n').sort();
    await daemon.stop();
    expect(daemon.process?.exitCode).toBe(0);
    await eventually(() => expect(receiver.datagrams.some((d) => d.fields.STOPPING === '1')).toBe(true));
    expect(docker('ps', '-q', '--filter', `label=com.docker.compose.project=${project}`).split('\n').sort()).toEqual(running);
    await daemon.start();
  });
});
