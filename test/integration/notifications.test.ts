// Notifications from the real daemon against the real engine, to receivers on 127.0.0.1: one that
// answers, one that accepts and never answers, and a closed port.
import { createServer, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../src/daemon/core/notify-decision.js';
import { newDaemon, projectStatus, runCli, serviceStatus, writeProject, type DaemonHandle } from '../support/daemon.js';
import { cleanupProject, describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';

interface Received {
  path: string;
  body: string;
  n: Notification;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describeWithEngine('notifications', () => {
  const failing = uniqueProjectName('notify-fail');
  const healthy = uniqueProjectName('notify-ok');
  const churn = uniqueProjectName('notify-churn');
  const received: Received[] = [];
  let hungRequests = 0;
  const answering = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body, n: JSON.parse(body) as Notification });
      res.writeHead(200).end();
    });
  });
  // Reads the request and never answers: the daemon's timeout is all that ends it.
  const hanging = createServer((req) => {
    hungRequests++;
    req.resume();
  });
  let daemon: DaemonHandle;
  let failingDir: string;
  let refusedPort: number;
  const of = (project: string, type?: string) => received.filter((r) => r.n.project === project && (type === undefined || r.n.type === type));

  beforeAll(async () => {
    const [answeringPort, hangingPort] = [await listen(answering), await listen(hanging)];
    refusedPort = await freePort();
    daemon = await newDaemon();
    await daemon.start(['--notify', `http://127.0.0.1:${answeringPort}/all`, '--notify', `http://127.0.0.1:${hangingPort}/hang`, '--notify', `http://127.0.0.1:${refusedPort}/refused`]);
    ({ dir: failingDir } = await writeProject(`
name: ${failing}
services:
  job:
    image: ${TEST_IMAGE}
    restart: on-failure:2
    environment:
      API_TOKEN: tok-supersecret-42
    command: ["sh", "-c", "echo token=$$API_TOKEN; test -f /data/ok || { echo cannot open /data/ok; exit 3; }; exec sleep 3600"]
    volumes: ["./data:/data"]
`));
    const healthyDir = (await writeProject(`name: ${healthy}\nservices:\n  web:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    restart: always\n`)).dir;
    // Exits after a second, again and again: replaced every second or so as long as it runs.
    const churnDir = (
      await writeProject(`
name: ${churn}
services:
  flaky:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "sleep 1; exit 1"]
    deploy:
      restart_policy: { condition: any, delay: 100ms, window: 500ms }
`)
    ).dir;
    for (const dir of [healthyDir, churnDir, failingDir]) {
      const up = await daemon.cli(['up'], { cwd: dir });
      expect(up.code, up.stderr).toBe(0);
    }
  });

  afterAll(async () => {
    await daemon?.stop();
    hanging.closeAllConnections();
    await Promise.all([answering, hanging].map((s) => new Promise((resolve) => s.close(resolve))));
    for (const project of [failing, healthy, churn]) await cleanupProject(project);
  });

  it('sends exactly one `failed` for a service that gives up, with its exit and log tail but no environment value', async () => {
    const failed = await eventually(() => {
      const list = of(failing, 'failed');
      expect(list).toHaveLength(1);
      return list[0]!;
    }, { timeoutMs: 60_000 });
    expect(failed.path).toBe('/all');
    expect(failed.n).toMatchObject({ type: 'failed', project: failing, service: 'job', replica: 1, exitCode: 3 });
    expect(failed.n.logTail).toContain('cannot open /data/ok');
    expect(failed.n.logTail).toContain('token=[redacted]');
    expect(received.map((r) => r.body).join('\n')).not.toContain('tok-supersecret-42');
    expect((await serviceStatus(daemon, failing, 'job')).phase).toBe('failed');
  });

  it('sends one recovery after `composed restart`, and no second `failed`', async () => {
    await writeFile(join(failingDir, 'data', 'ok'), '');
    const restart = await daemon.cli(['restart', 'job'], { cwd: failingDir });
    expect(restart.code, restart.stderr).toBe(0);
    const recovered = await eventually(() => {
      const list = of(failing, 'recovered');
      expect(list).toHaveLength(1);
      return list[0]!;
    }, { timeoutMs: 60_000 });
    expect(recovered.n).toMatchObject({ service: 'job', recovers: ['failed'], reason: 'recovered from failed: running again, 1/1 ready' });
    expect(of(failing, 'failed')).toHaveLength(1);
  });

  it('keeps replacing containers while one receiver hangs and another refuses, and shows the failures in status and /metrics', async () => {
    // The hanging receiver holds a request (the crash loop's, or the give-up's) open.
    await eventually(() => expect(hungRequests).toBeGreaterThan(0), { timeoutMs: 60_000 });
    const before = (await serviceStatus(daemon, churn, 'flaky')).restarts;
    await eventually(async () => expect((await serviceStatus(daemon, churn, 'flaky')).restarts).toBeGreaterThanOrEqual(before + 3), { timeoutMs: 60_000 });

    const deliveries = await eventually(async () => {
      const list = (await projectStatus(daemon, churn)).notifications ?? [];
      expect(list.find((d) => d.endpoint === `http://127.0.0.1:${refusedPort}`)).toMatchObject({ scope: 'daemon', sent: 0, lastError: 'ECONNREFUSED' });
      return list;
    }, { timeoutMs: 30_000 });
    // Scheme and host only: the path (where a webhook keeps its token) is never shown.
    expect(JSON.stringify(deliveries)).not.toMatch(/\/all|\/hang|\/refused/);
    expect(deliveries.find((d) => d.endpoint.endsWith(String((answering.address() as { port: number }).port)))?.sent).toBeGreaterThanOrEqual(2);
    let metrics = '';
    for await (const chunk of daemon.client.stream('/metrics')) metrics += chunk;
    expect(metrics).toMatch(new RegExp(`composed_notifications_sent_total\\{endpoint="http://127.0.0.1:${(answering.address() as { port: number }).port}"\\} [1-9]`));
    expect(metrics).toContain(`composed_notifications_queued{endpoint="http://127.0.0.1:${refusedPort}"}`);
    expect(metrics).not.toMatch(/endpoint="[^"]*\/(all|hang|refused)/);
  });

  it('says nothing about a healthy project', async () => {
    expect((await serviceStatus(daemon, healthy, 'web')).phase).toBe('running');
    expect(of(healthy)).toEqual([]);
  });
});

describe('the --notify flag', () => {
  it('refuses a receiver that is not an http(s) URL before the daemon starts, naming the flag or variable', async () => {
    const daemon = await newDaemon();
    const flag = await runCli(['daemon', '--socket', daemon.socket, '--state-dir', daemon.stateDir, '--notify', 'ftp://files.example.com/drop']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toBe('composed: --notify: must be an http or https URL, not ftp\n');
    const env = await runCli(['daemon', '--socket', daemon.socket, '--state-dir', daemon.stateDir], { env: { COMPOSED_NOTIFY: 'https://ok.example/a, teams+https://x.example/b' } });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('COMPOSED_NOTIFY (value 2): unknown notification format "teams"');
  });
});
