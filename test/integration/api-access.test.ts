// Who may talk to the daemon: the socket is 0660, owned by the daemon's user and the
// `--socket-group` group (a name or a gid), in a directory nobody else may write; a user outside
// the group is told what the daemon's two groups mean (never "join group root"); there is no TCP
// listener unless --metrics-addr asks for one, loopback by default and a warning otherwise.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { CLI, DaemonHandle } from '../support/daemon.js';
import { describeWithEngine } from '../support/engine.js';
import { freePort } from '../support/free-port.js';

const run = promisify(execFile);
const NOBODY = 65534;
const GROUP = 'nogroup';

/** A daemon whose socket lives in a directory others may traverse (as /run/composed is). */
async function openDaemon(): Promise<DaemonHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'composed-access-'));
  await chmod(dir, 0o755);
  return new DaemonHandle(dir, join(dir, 'run', 'composed.sock'));
}

/** Runs the CLI as the unprivileged `nobody`, optionally with extra groups. */
async function cliAsNobody(socket: string, args: string[], groups?: number[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const priv = ['--reuid', String(NOBODY), '--regid', String(NOBODY), ...(groups ? ['--groups', groups.join(',')] : ['--clear-groups'])];
  try {
    const { stdout, stderr } = await run('setpriv', [...priv, process.execPath, CLI, ...args, '--socket', socket], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/tmp' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** TCP sockets the process listens on, as "address:port" (hex from /proc/net/tcp{,6}). */
async function tcpListeners(pid: number): Promise<string[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) inodes.add(m[1]!);
  }
  const out: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      // local_address is f[1], st is f[3] (0A = LISTEN), inode is f[9].
      if (f[3] === '0A' && inodes.has(f[9] ?? '')) out.push(f[1]!);
    }
  }
  return out;
}

describeWithEngine('control socket access', () => {
  let daemon: DaemonHandle | undefined;

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
  });

  it('the socket is 0660, owned by the daemon user and the --socket-group group (by name), in a directory only its owner writes', async () => {
    daemon = await openDaemon();
    await daemon.start(['--socket-group', GROUP]);
    const s = await stat(daemon.socket);
    expect(s.isSocket()).toBe(true);
    expect(s.mode & 0o777).toBe(0o660);
    expect(s.uid).toBe(process.getuid!());
    expect(s.gid).toBe(NOBODY);
    const d = await stat(join(daemon.dir, 'run'));
    expect(d.mode & 0o022).toBe(0);
  });

  it('a numeric gid works as before; an unknown group name stops the daemon with a clear message', async () => {
    daemon = await openDaemon();
    await daemon.start(['--socket-group', String(NOBODY)]);
    expect((await stat(daemon.socket)).gid).toBe(NOBODY);
    await daemon.stop();
    const bad = await run(process.execPath, [CLI, 'daemon', '--socket', join(daemon.dir, 'other.sock'), '--state-dir', join(daemon.dir, 'state2'), '--socket-group', 'no-such-group-x']).catch((e: { code?: number; stderr?: string }) => e);
    expect((bad as { code?: number }).code).not.toBe(0);
    expect((bad as { stderr?: string }).stderr).toMatch(/no group named "no-such-group-x"/);
  });

  it('a user outside the group is told of the two groups, never to join root; a member gets in', async () => {
    daemon = await openDaemon();
    await daemon.start(['--socket-group', 'root']);
    const denied = await cliAsNobody(daemon.socket, ['status', '-p', 'nope']);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/permission denied on .*composed\.sock: the socket is root's only; ask for the daemon's --restricted-group .* --socket-group \(root-equivalent, like the docker group\)/);
    expect(denied.stderr).not.toMatch(/add yourself to group root/);
    // The same user in the socket's group reaches the daemon (which answers: no such project).
    const member = await cliAsNobody(daemon.socket, ['status', '-p', 'nope'], [0]);
    expect(member.stderr).not.toMatch(/permission denied/);
    expect(member.stderr).toMatch(/no project named "nope"/);
  });

  it('a socket directory everyone may write to (without the sticky bit) is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'composed-access-'));
    const open = join(dir, 'open');
    await mkdir(open);
    await chmod(open, 0o777);
    // The daemon exits (not hangs) with the reason.
    const started = Date.now();
    const failed = await run(process.execPath, [CLI, 'daemon', '--socket', join(open, 'composed.sock'), '--state-dir', join(dir, 'state')], { timeout: 15_000 }).catch((e: { code?: number; stderr?: string }) => e);
    expect((failed as { code?: number }).code).toBe(1);
    expect((failed as { stderr?: string }).stderr).toMatch(/could not start: refusing to listen on .*writable by everyone/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('no TCP listener by default', async () => {
    daemon = await openDaemon();
    await daemon.start();
    expect(await tcpListeners(daemon.process!.pid!)).toEqual([]);
  });

  it('--metrics-addr :PORT listens on loopback only, serves only /metrics, and warns for anything beyond loopback', async () => {
    const port = await freePort();
    daemon = await openDaemon();
    await daemon.start(['--metrics-addr', `:${port}`]);
    const listeners = await tcpListeners(daemon.process!.pid!);
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    expect(listeners).toEqual([`0100007F:${hexPort}`]);
    const res = await fetch(`http://127.0.0.1:${port}/v1/projects`);
    expect(res.status).toBe(404);
    expect(daemon.log()).not.toMatch(/reachable beyond this host/);
    await daemon.stop();

    // 127.0.0.2 is not one of the loopback names the daemon knows: it warns (and nothing leaves the host).
    const other = await freePort();
    daemon = await openDaemon();
    await daemon.start(['--metrics-addr', `127.0.0.2:${other}`]);
    expect(daemon.log()).toMatch(/metrics listener is reachable beyond this host/);
  });
});
