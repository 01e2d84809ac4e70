// `composed status --watch` as a person uses it: typed into a shell in a real terminal (tmux), the
// table redraws in place with CPU and memory per replica, shows a crash and its replacement without
// being restarted, and q gives the shell back. Off a terminal it appends each refresh.
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

// stderr piped: an inspect between the old container's removal and the new one's creation fails, and is retried.
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

describeWithEngine('status --watch', () => {
  const project = uniqueProjectName('watch');
  const daemon = useDaemon(project);
  const tmuxServer = `composed-${project}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', tmuxServer, ...args], { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-p', '-t', 'watch');
  let dir: string;

  beforeAll(async () => {
    ({ dir } = await writeProject(`
name: ${project}
services:
  app:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
`));
    const up = await daemon.cli(['up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    tmux('new-session', '-d', '-s', 'watch', '-x', '160', '-y', '30', 'sh');
  });
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      // Already gone.
    }
  });

  it('redraws in place with CPU and memory, follows a crash, and q gives the shell back', async () => {
    const replica = `${project}-app-1`;
    tmux('send-keys', '-t', 'watch', `cd ${dir} && COMPOSED_SOCKET=${daemon.socket} ${process.execPath} ${CLI} status --watch --interval 0.5s`, 'Enter');
    // The replica's row with its CPU (a number) and memory (binary units) once the first sample came.
    const row = () => screen().split('\n').find((l) => l.includes(replica)) ?? '';
    await eventually(() => {
      expect(screen()).toContain('q quits');
      expect(row()).toMatch(/running\s.*\s\d+\.\d\s+[\d.]+(B|KiB|MiB)\b/);
    });
    const before = docker('inspect', '-f', '{{.Id}}', replica);
    docker('kill', replica);
    // The same drawing, not a new command: the replacement shows up with one restart.
    await eventually(() => {
      expect(docker('inspect', '-f', '{{.Id}}', replica)).not.toBe(before);
      expect(row()).toMatch(/running\s.*\s1\s/);
      expect(screen()).toContain('q quits');
    });
    tmux('send-keys', '-t', 'watch', 'q');
    await eventually(() => expect(screen()).not.toContain('q quits'));
    tmux('send-keys', '-t', 'watch', 'echo watch-exit=$?', 'Enter');
    await eventually(() => expect(screen()).toContain('watch-exit=0'));
  });

  it('appends each refresh under a time stamp when stdout is not a terminal', async () => {
    const child = spawn(process.execPath, [CLI, 'status', '--watch', '--interval', '0.3s'], { cwd: dir, env: { ...process.env, COMPOSED_SOCKET: daemon.socket } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await eventually(() => expect(out.match(/^--- \d\d:\d\d:\d\d$/gm)?.length ?? 0).toBeGreaterThanOrEqual(2));
    expect(out).not.toContain('\u001b[?1049h');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
