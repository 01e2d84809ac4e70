// Who may do what through the socket, as real users: the daemon runs as root with a socket group
// and a restricted group, and the CLI runs as users made for the test (useradd, runuser). The
// kernel's peer credentials say who asks; the restricted group is refused what would make it
// root, each refusal pointing at the key in the file and never showing a file it could not read;
// only the variables a project references reach the daemon, and its events name who asked.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonEvent } from '../../src/protocol/api.js';
import { CLI, DaemonHandle, projectStatus, REPO_ROOT, type CliResult } from '../support/daemon.js';
import { cleanupProject, describeWithEngine, dockerForTests, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

const isRoot = process.getuid?.() === 0;
const tag = randomBytes(3).toString('hex');
const SOCKET_GROUP = `cdsock${tag}`;
const RESTRICTED_GROUP = `cdrest${tag}`;
const users = { alice: `cda${tag}`, bob: `cdb${tag}`, carol: `cdc${tag}`, dave: `cdd${tag}` };
const SECRET_NAME = `COMPOSED_TEST_SECRET_${tag.toUpperCase()}`;
const SECRET_VALUE = `s3cr3t-${randomBytes(8).toString('hex')}`;

const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();
const uidOf = (user: string) => Number(sh('id', '-u', user));

/** The CLI the test users run: this checkout's, or a copy under /tmp when they cannot reach it. */
let userCli = CLI;
let copiedCli: string | undefined;

async function cliTheyCanRun(user: string): Promise<string> {
  const reachable = (path: string) => {
    try {
      execFileSync('runuser', ['-u', user, '--', 'test', '-r', path], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (reachable(CLI)) return CLI;
  // A checkout under a directory closed to others (a CI clone in root's home): copy what the CLI
  // needs to run into a directory they can read.
  const copy = await mkdtemp(join(tmpdir(), 'composed-cli-'));
  copiedCli = copy;
  await chmod(copy, 0o755);
  for (const part of ['dist', 'node_modules', 'package.json']) execFileSync('cp', ['-a', join(REPO_ROOT, part), copy]);
  return join(copy, 'dist/cli/main.js');
}

function asUser(user: string, daemon: DaemonHandle, args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: opts.cwd, COMPOSED_SOCKET: daemon.socket, NO_COLOR: '1', ...opts.env };
  return new Promise((resolve) => {
    execFile('runuser', ['-u', user, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, userCli, ...args], { cwd: opts.cwd }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A raw API request as that user (curl), for what the CLI would stop before asking. */
function curlAs(user: string, daemon: DaemonHandle, method: string, path: string, body?: unknown): { status: number; body: string } {
  const args = ['-u', user, '--', 'curl', '-s', '--unix-socket', daemon.socket, '-X', method, '-H', 'content-type: application/json', '-w', '\n%{http_code}', ...(body ? ['-d', JSON.stringify(body)] : []), `http://composed${path}`];
  const out = execFileSync('runuser', args, { encoding: 'utf8' });
  const at = out.lastIndexOf('\n');
  return { status: Number(out.slice(at + 1)), body: out.slice(0, at) };
}

/** A directory of the user's own under /tmp holding compose.yaml (theirs too). */
async function projectDirOf(user: string, yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'composed-user-'));
  const uid = uidOf(user);
  const gid = Number(sh('id', '-g', user));
  await writeFile(join(dir, 'compose.yaml'), yaml);
  await chown(dir, uid, gid);
  await chown(join(dir, 'compose.yaml'), uid, gid);
  await chmod(dir, 0o755);
  return dir;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

const sleeper = (name: string, extra = '') => `name: ${name}
services:
  app:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo hello $GREETING; trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    environment:
      GREETING: \${GREETING}
${extra}`;

(isRoot ? describeWithEngine : describe.skip)('the socket as different users (daemon as root)', () => {
  const projects = { alice: uniqueProjectName('alice'), carol: uniqueProjectName('carol'), carolPrivileged: uniqueProjectName('carol-priv'), refused: uniqueProjectName('refused') };
  let daemon: DaemonHandle;
  let aliceDir: string;

  beforeAll(async () => {
    sh('groupadd', SOCKET_GROUP);
    sh('groupadd', RESTRICTED_GROUP);
    for (const [who, name] of Object.entries(users)) {
      const groups = who === 'carol' ? [SOCKET_GROUP] : who === 'dave' ? [] : [RESTRICTED_GROUP];
      sh('useradd', '--no-create-home', '--shell', '/usr/sbin/nologin', ...(groups.length ? ['-G', groups.join(',')] : []), name);
    }
    userCli = await cliTheyCanRun(users.dave);
    const dir = await mkdtemp(join(tmpdir(), 'composed-users-'));
    await chmod(dir, 0o755);
    daemon = new DaemonHandle(dir, join(dir, 'run', 'composed.sock'));
    await daemon.start(['--socket-group', SOCKET_GROUP, '--restricted-group', RESTRICTED_GROUP]);
    aliceDir = await projectDirOf(users.alice, sleeper(projects.alice));
  });

  afterAll(async () => {
    // The users and groups first: they need no engine, and a hung engine must not leave them behind.
    for (const name of Object.values(users)) spawnSync('userdel', [name], { stdio: 'ignore' });
    for (const group of [SOCKET_GROUP, RESTRICTED_GROUP]) spawnSync('groupdel', [group], { stdio: 'ignore' });
    if (copiedCli) await rm(copiedCli, { recursive: true, force: true });
    await daemon?.stop();
    for (const p of Object.values(projects)) await cleanupProject(p);
  });

  it('the socket lets both groups connect, and the daemon refuses a user in neither', async () => {
    const s = await stat(daemon.socket);
    expect(s.mode & 0o777).toBe(0o666);
    const refused = await asUser(users.dave, daemon, ['status', '-p', projects.alice], { cwd: '/tmp' });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(new RegExp(`uid ${uidOf(users.dave)} is in neither the daemon's socket group nor its restricted group`));
    expect(daemon.log()).toMatch(/request refused/);
  });

  it('a restricted member brings a project up from their own directory, sees its status and logs, and the daemon keeps only the variables it references', async () => {
    const up = await asUser(users.alice, daemon, ['up', '-d'], { cwd: aliceDir, env: { GREETING: 'from-alice', [SECRET_NAME]: SECRET_VALUE } });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    await eventually(async () => {
      const status = await asUser(users.alice, daemon, ['status', '-p', projects.alice, '--json'], { cwd: aliceDir });
      expect(JSON.parse(status.stdout).services[0].replicas[0].phase).toBe('running');
    });
    await eventually(async () => expect((await asUser(users.alice, daemon, ['logs', '-p', projects.alice, 'app'], { cwd: aliceDir })).stdout).toMatch(/hello from-alice/));
    const record = JSON.parse(await readFile(join(daemon.stateDir, 'projects', `${projects.alice}.json`), 'utf8')) as { load: { env: Record<string, string> }; owner: { uid: number } };
    expect(record.load.env).toEqual({ GREETING: 'from-alice' });
    expect(record.owner.uid).toBe(uidOf(users.alice));
  });

  it('the unrelated secret of that shell is nowhere in the state dir, the log or the events; the events of requests name the caller', async () => {
    for (const file of await filesUnder(daemon.stateDir)) {
      const text = await readFile(file, 'utf8');
      expect(text, file).not.toContain(SECRET_VALUE);
      expect(text, file).not.toContain(SECRET_NAME);
    }
    expect(daemon.log()).not.toContain(SECRET_VALUE);
    expect(daemon.log()).not.toContain(SECRET_NAME);
    const events = (await daemon.cli(['events', '--json', '--no-follow', '-p', projects.alice])).stdout;
    expect(events).not.toContain(SECRET_VALUE);
    const parsed = events.trim().split('\n').map((l) => JSON.parse(l) as DaemonEvent);
    const up = parsed.find((e) => e.type === 'project-up');
    expect(up?.caller?.uid).toBe(uidOf(users.alice));
    expect(daemon.log()).toMatch(new RegExp(`"caller":\\{"via":"socket","uid":${uidOf(users.alice)}`));
  });

  it('a restricted member may exec in their own replica, but not --privileged', async () => {
    const plain = await asUser(users.alice, daemon, ['exec', '-T', '-p', projects.alice, 'app', 'echo', 'inside'], { cwd: aliceDir });
    expect(plain.stdout).toContain('inside');
    const privileged = await asUser(users.alice, daemon, ['exec', '-T', '--privileged', '-p', projects.alice, 'app', 'id'], { cwd: aliceDir });
    expect(privileged.code).not.toBe(0);
    expect(privileged.stderr).toMatch(/not allowed for the restricted group: a privileged exec is root on the host/);
  });

  it('an edit that references a variable the daemon was never given reloads as the owner and says in status that it is not set', async () => {
    await writeFile(join(aliceDir, 'compose.yaml'), sleeper(projects.alice).replace('GREETING: ${GREETING}', 'GREETING: ${GREETING}\n      LATER: ${LATER_VARIABLE}'));
    await eventually(async () => {
      const status = await asUser(users.alice, daemon, ['status', '-p', projects.alice], { cwd: aliceDir });
      expect(status.stdout).toMatch(/compose\.yaml:\d+:\d+ services\.app\.environment\.LATER: the "LATER_VARIABLE" variable is not set, defaulting to a blank string/);
    });
  });

  const refusals: Array<[string, string, RegExp]> = [
    ['privileged', '    privileged: true\n', /compose\.yaml:\d+:\d+ services\.app\.privileged: not allowed for the restricted group: a privileged container is root/],
    ['a bind mount of /', '    volumes: ["/:/host"]\n', /compose\.yaml:\d+:\d+ services\.app\.volumes\[0\]: not allowed for the restricted group: bind mount of \/: it is not yours/],
    ['a bind mount of /etc', '    volumes: ["/etc:/host-etc:ro"]\n', /compose\.yaml:\d+:\d+ services\.app\.volumes\[0\]: not allowed for the restricted group: bind mount of \/etc: it is not yours/],
    ['the engine socket', '    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n', /compose\.yaml:\d+:\d+ services\.app\.volumes\[0\]: not allowed for the restricted group: bind mount of \/var\/run\/docker\.sock: it is a socket/],
    ['network_mode: host', '    network_mode: host\n', /compose\.yaml:\d+:\d+ services\.app\.network_mode: not allowed for the restricted group: network_mode: host/],
  ];
  for (const [what, extra, message] of refusals) {
    it(`a restricted member is refused ${what}, with the key's place in the file, and nothing is created`, async () => {
      const dir = await projectDirOf(users.alice, sleeper(projects.refused, extra));
      const up = await asUser(users.alice, daemon, ['up', '-d'], { cwd: dir, env: { GREETING: 'x' } });
      expect(up.code).not.toBe(0);
      expect(up.stderr).toMatch(message);
      const created = await dockerForTests().listContainers({ all: true, filters: { label: [`com.docker.compose.project=${projects.refused}`] } });
      expect(created).toEqual([]);
    });
  }

  it('a restricted member naming /etc/shadow gets its name and never its content, from the CLI and from the API', async () => {
    const shadow = await readFile('/etc/shadow', 'utf8');
    const firstEntry = shadow.split('\n')[0]!.split(':')[0]!;
    const cli = await asUser(users.alice, daemon, ['up', '-f', '/etc/shadow'], { cwd: aliceDir });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/\/etc\/shadow.*permission denied/);
    expect(cli.stderr).not.toContain(`${firstEntry}:`);
    const api = curlAs(users.alice, daemon, 'POST', '/v1/projects', { files: ['/etc/shadow'], cwd: aliceDir, env: {}, profiles: [] });
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body)).toMatchObject({ file: '/etc/shadow', field: 'files' });
    expect(api.body).toMatch(/permission denied: uid \d+ may not read it/);
    expect(api.body).not.toContain(`${firstEntry}:`);
    // The socket group's member gets the same answer: the file is not theirs to read either.
    expect(curlAs(users.carol, daemon, 'POST', '/v1/projects', { files: ['/etc/shadow'], cwd: '/tmp', env: {}, profiles: [] }).status).toBe(403);
  });

  it("another restricted member cannot see, scale, take down or take over alice's project", async () => {
    const bobDir = await projectDirOf(users.bob, sleeper(projects.alice));
    for (const args of [['down', '-p', projects.alice], ['scale', '-p', projects.alice, 'app=2'], ['status', '-p', projects.alice], ['up', '-d']]) {
      const tried = await asUser(users.bob, daemon, args, { cwd: bobDir });
      expect(tried.code, args.join(' ')).not.toBe(0);
      expect(tried.stderr).toMatch(new RegExp(`project ${projects.alice} belongs to another user`));
    }
    const listed = curlAs(users.bob, daemon, 'GET', '/v1/projects');
    expect(listed.body).not.toContain(projects.alice);
    expect((await projectStatus(daemon, projects.alice)).services[0]?.replicas).toHaveLength(1);
  });

  it('a socket-group member may do all of it: host network, capabilities, a bind mount of /etc, privileged', async () => {
    const carolDir = await projectDirOf(users.carol, sleeper(projects.carol, '    network_mode: host\n    cap_add: [NET_ADMIN]\n    volumes: ["/etc:/host-etc:ro"]\n'));
    const up = await asUser(users.carol, daemon, ['up', '-d'], { cwd: carolDir, env: { GREETING: 'carol' } });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    await eventually(async () => expect((await projectStatus(daemon, projects.carol)).services[0]?.replicas[0]?.phase).toBe('running'));
    expect((await asUser(users.carol, daemon, ['down', '-p', projects.carol], { cwd: carolDir })).code).toBe(0);
    // This engine runs in a sandbox that cannot give a container every capability ("unable to apply
    // caps" at start), so the privileged service is created and not started: that the daemon took
    // it is the point, and a start failing again and again would only churn the engine.
    const privDir = await projectDirOf(users.carol, sleeper(projects.carolPrivileged, '    privileged: true\n'));
    const created = await asUser(users.carol, daemon, ['up', '--no-start'], { cwd: privDir, env: { GREETING: 'carol' } });
    expect(created.stderr).not.toMatch(/not allowed/);
    expect(created.code).toBe(0);
    await eventually(async () => expect((await projectStatus(daemon, projects.carolPrivileged)).services[0]?.replicas[0]?.phase).toBe('created'));
    expect((await asUser(users.carol, daemon, ['down', '-p', projects.carolPrivileged], { cwd: privDir })).code).toBe(0);
  });

  it('the restricted member takes their own project down; the down names them in the events', async () => {
    const down = await asUser(users.alice, daemon, ['down', '-p', projects.alice], { cwd: aliceDir });
    expect(down.code).toBe(0);
    expect(await dockerForTests().listContainers({ all: true, filters: { label: [`com.docker.compose.project=${projects.alice}`] } })).toEqual([]);
    const events = (await daemon.cli(['events', '--json', '--no-follow', '-p', projects.alice])).stdout.trim().split('\n').map((l) => JSON.parse(l) as DaemonEvent);
    const request = events.find((e) => e.type === 'request' && e.message.startsWith('DELETE'));
    expect(request?.caller?.uid).toBe(uidOf(users.alice));
  });
});
