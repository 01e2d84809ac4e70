// `composed logs` and `composed ps` with docker compose's flags and output shapes: several services
// interleaved in time order, --tail/--since/--until/-t/--no-log-prefix/--index, -f; ps's columns,
// compose's JSON field names, -a/-q/--services/--status/--filter and Go templates.
import { spawn } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import type { ComposeContainer } from '../../src/protocol/compose-containers.js';
import { CLI, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';

const LOOP = "trap 'exit 0' TERM; while true; do sleep 0.2; done";

describeWithEngine('logs and ps as docker compose prints them', () => {
  const project = uniqueProjectName('logsps');
  const daemon = useDaemon(project);
  let port: number;
  let dir: string;
  const cli = (...args: string[]) => daemon.cli(['-p', project, ...args], { cwd: dir });

  beforeAll(async () => {
    port = await freePort();
    ({ dir } = await writeProject(`
name: ${project}
services:
  alpha:
    image: ${TEST_IMAGE}
    restart: always
    # A shared volume orders the three lines by cause, not by how fast the engine starts each one;
    # a second between cause and effect, as the engine stamps each line when it reads it from the
    # container's pipe, and a busy dockerd read beta's stdout after alpha's stderr (one run in ten).
    command: ["sh", "-c", "echo alpha-first; touch /sync/a; until [ -e /sync/b ]; do sleep 0.05; done; sleep 1; echo alpha-third >&2; ${LOOP}"]
    volumes: ["sync:/sync"]
  beta:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "until [ -e /sync/a ]; do sleep 0.05; done; sleep 1; echo beta-second; touch /sync/b; ${LOOP}"]
    volumes: ["sync:/sync"]
  web:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "echo web-$$HOSTNAME; httpd -f -p 80"]
    deploy: { replicas: 2 }
    ports: ["127.0.0.1:${port}:80"]
  once:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "exit 3"]
volumes:
  sync: {}
`));
    const up = await daemon.cli(['up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });

  it('logs of several services in time order, stderr included, compose prefix', async () => {
    const r = await eventually(async () => {
      const out = await cli('logs', 'alpha', 'beta');
      expect(out.stdout).toContain('alpha-third');
      return out;
    });
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(['alpha-1 | alpha-first', 'beta-1  | beta-second', 'alpha-1 | alpha-third']);
  });

  it('--tail, -t, --no-log-prefix, --since, --until, --index', async () => {
    expect((await cli('logs', '--tail', '1', 'alpha')).stdout).toBe('alpha-1 | alpha-third\n');
    const stamped = await cli('logs', '-t', '--no-log-prefix', 'beta');
    expect(stamped.stdout).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z beta-second\n$/);
    expect((await cli('logs', '--since', '2099-01-01T00:00:00Z', 'alpha')).stdout).toBe('');
    expect((await cli('logs', '--until', '1h', 'alpha')).stdout).toBe('');
    expect((await cli('logs', '--since', '1h', 'beta')).stdout).toBe('beta-1 | beta-second\n');
    const second = await eventually(async () => {
      const out = await cli('logs', '--index', '2', 'web');
      expect(out.stdout).toMatch(/^web-2 \| web-\w+\n$/);
      return out;
    });
    expect(second.stdout).not.toContain('web-1 |');
    const bad = await cli('logs', '--since', 'yesterday');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--since: "yesterday" is neither a duration');
    expect((await cli('logs', 'nosuch')).stderr).toContain('has no service "nosuch"');
  });

  it('logs -f follows new output until stopped', async () => {
    const follow = spawn(process.execPath, ['--', CLI, '-p', project, 'logs', '-f', '--tail', '1', 'beta'], { env: { ...process.env, COMPOSED_SOCKET: daemon.socket } });
    let out = '';
    follow.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      // The last line of history first: the follower is attached from here on.
      await eventually(() => expect(out).toBe('beta-1 | beta-second\n'));
      const exec = await cli('exec', '-T', 'beta', 'sh', '-c', 'echo followed > /proc/1/fd/1');
      expect(exec.code, exec.stderr).toBe(0);
      await eventually(() => expect(out).toBe('beta-1 | beta-second\nbeta-1 | followed\n'));
    } finally {
      follow.kill();
    }
  });

  it('ps: running containers with compose\'s columns; the balancer\'s address as the published port', async () => {
    await eventually(async () => expect((await cli('ps', '--services')).stdout).toBe('alpha\nbeta\nweb\n'));
    const table = await cli('ps');
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+IMAGE\s+COMMAND\s+SERVICE\s+CREATED\s+STATUS\s+PORTS$/);
    expect(table.stdout).toMatch(new RegExp(`^${project}-web-2\\s+busybox:latest\\s+"sh -c 'echo web-\\$HO…"\\s+web\\s+.+ ago\\s+Up .+127\\.0\\.0\\.1:${port}->80/tcp$`, 'm'));
    const json = (await cli('ps', '--format', 'json', 'web')).stdout.trim().split('\n').map((l) => JSON.parse(l) as ComposeContainer);
    expect(json.map((c) => c.Name)).toEqual([`${project}-web-1`, `${project}-web-2`]);
    expect(json[0]).toMatchObject({ Service: 'web', Project: project, State: 'running', Health: '', ExitCode: 0, Image: 'busybox:latest' });
    expect(json[0]!.Publishers).toEqual([{ URL: '127.0.0.1', TargetPort: 80, PublishedPort: port, Protocol: 'tcp' }]);
    expect(Object.keys(json[0]!).sort()).toEqual(['Command', 'Created', 'ExitCode', 'Health', 'ID', 'Image', 'Labels', 'Name', 'Project', 'Publishers', 'Service', 'State', 'Status'].sort());
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).status;
    expect(page).toBe(404);
  });

  it('ps -a, --status, --filter, -q and templates; a bad state names the flag', async () => {
    const exited = await eventually(async () => {
      const r = await cli('ps', '--status', 'exited', '--format', '{{.Service}} {{.ExitCode}} {{.State}}');
      expect(r.stdout).toBe('once 3 exited\n');
      return r;
    });
    expect(exited.code).toBe(0);
    expect((await cli('ps')).stdout).not.toContain(`${project}-once-1`);
    expect((await cli('ps', '-a')).stdout).toMatch(new RegExp(`^${project}-once-1 .*Exited \\(3\\)`, 'm'));
    expect((await cli('ps', '--filter', 'status=exited', '-q')).stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const table = await cli('ps', '--format', 'table {{.Name}}\\t{{.ExitCode}}', 'once', '-a');
    expect(table.stdout).toBe(`NAME${' '.repeat(project.length + 7 - 4 + 3)}EXIT CODE\n${project}-once-1   3\n`);
    const bad = await cli('ps', '--status', 'sleeping');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--status: "sleeping" is not a state');
  });
});
