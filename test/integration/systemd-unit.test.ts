// The unit `composed systemd` prints passes `systemd-analyze verify`, with the real node binary in
// ExecStart (verify fails when it is missing or not executable) and the real dist/cli/main.js.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi, type TestContext } from 'vitest';
import { registerSystemd } from '../../src/cli/commands/systemd.js';
import { daemonEntryPoint } from '../../src/cli/systemd/entry-point.js';
import { renderUnit } from '../../src/cli/systemd/unit.js';
import { ensureBuilt, packagePath } from './systemd-dist.js';

/** Whether systemd-analyze can run here; installs Debian's systemd package when it is missing. */
function analyzeAvailability(): { ok: true } | { ok: false; reason: string } {
  const probe = () => spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  let result = probe();
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT' && process.getuid?.() === 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'systemd'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    result = probe();
  }
  if (result.error || result.status !== 0) {
    return { ok: false, reason: `systemd-analyze cannot run here (${result.error?.message ?? result.stderr.trim()}); install Debian's systemd package to check the unit` };
  }
  return { ok: true };
}

let dir: string;
let analyze: ReturnType<typeof analyzeAvailability>;

beforeAll(async () => {
  // Builds dist/ when missing, so ExecStart's dist/cli/main.js exists for --install's check.
  ensureBuilt(['cli/systemd/entry-point']);
  analyze = analyzeAvailability();
  dir = await mkdtemp(join(tmpdir(), 'composed-systemd-'));
}, 600_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** verify's exit code and what it said about our unit (it may also talk about other units). */
async function verify(ctx: TestContext, unitText: string): Promise<{ code: number; complaints: string[] }> {
  if (!analyze.ok) ctx.skip(analyze.reason);
  const file = join(dir, 'composed.service');
  await writeFile(file, unitText);
  const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  const complaints = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.includes('composed.service'));
  return { code: result.status ?? -1, complaints };
}

// The command runs in-process (registered on a fresh program, as src/cli/main.ts does), with
// stdout and stderr captured and getuid faked for the root check; --install writes into `dir`.
const out: string[] = [];
const err: string[] = [];
beforeAll(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
});
afterEach(() => {
  out.length = 0;
  err.length = 0;
  process.exitCode = undefined;
});
afterAll(() => vi.restoreAllMocks());

async function composedSystemd(args: string[], { uid = 0, unitPath = join(dir, 'installed.service') } = {}): Promise<string> {
  const getuid = vi.spyOn(process, 'getuid').mockReturnValue(uid);
  try {
    const program = new Command('composed').exitOverride();
    registerSystemd(program, { unitPath });
    await program.parseAsync(['node', 'composed', 'systemd', ...args]);
  } finally {
    getuid.mockRestore();
  }
  return out.join('');
}

describe('composed systemd', () => {
  it('prints a unit that systemd-analyze verify accepts without a single complaint', async (ctx) => {
    const stdout = await composedSystemd([]);
    expect(stdout).toContain(`ExecStart=${process.execPath} ${packagePath('dist/cli/main.js')} daemon --socket /run/composed/composed.sock --state-dir /var/lib/composed`);
    expect(await verify(ctx, stdout)).toEqual({ code: 0, complaints: [] });
  });

  it('prints a verifiable unit for custom directories and quoted environment values', async (ctx) => {
    const stdout = await composedSystemd(['--socket', '/srv/composed/control.sock', '--state-dir', '/home/ops/state', '-e', 'DOCKER_HOST=unix:///var/run/docker.sock', '-e', 'NOTE=100% "sure"']);
    expect(stdout).toContain('ReadWritePaths=-/home/ops/state');
    expect(stdout).toContain('Environment="NOTE=100%% \\"sure\\""');
    expect(await verify(ctx, stdout)).toEqual({ code: 0, complaints: [] });
  });

  it('is checked for real: verify rejects a unit whose node does not exist', async (ctx) => {
    const broken = renderUnit({ ...daemonEntryPoint(), nodePath: '/nonexistent/node', socket: '/run/composed/composed.sock', stateDir: '/var/lib/composed' });
    const { code, complaints } = await verify(ctx, broken);
    expect(code).not.toBe(0);
    expect(complaints.join('\n')).toMatch(/\/nonexistent\/node is not executable/);
  });
});

describe('composed systemd --install', () => {
  it('writes the unit and says which systemctl commands start it', async () => {
    const unitPath = join(dir, 'installed.service');
    const stdout = await composedSystemd(['--install'], { unitPath });
    expect(await readFile(unitPath, 'utf8')).toBe(renderUnit({ ...daemonEntryPoint(), socket: '/run/composed/composed.sock', stateDir: '/var/lib/composed' }));
    expect(stdout).toBe(`wrote ${unitPath}\nstart it now and at every boot with:\n  systemctl daemon-reload && systemctl enable --now composed\n`);
    expect(process.exitCode).toBeUndefined();
  });

  it('refuses, and says how, when not root', async () => {
    const unitPath = join(dir, 'refused.service');
    await composedSystemd(['--install'], { uid: 1000, unitPath });
    expect(err.join('')).toMatch(/^composed: writing .*refused\.service needs root; run `sudo composed systemd --install`/);
    expect(process.exitCode).toBe(1);
    await expect(readFile(unitPath)).rejects.toThrow(/ENOENT/);
  });
});
