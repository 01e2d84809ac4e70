// sd_notify for real: a receiver bound where NOTIFY_SOCKET points gets READY=1, STATUS=,
// STOPPING=1 and WATCHDOG=1, with our pid in the kernel's credentials (what systemd checks for
// NotifyAccess=main). The receiver is python3, independent of the library under test.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SystemdNotifier } from '../../src/daemon/systemd/notify.js';
import { startWatchdog, type RunningWatchdog } from '../../src/daemon/systemd/watchdog.js';
import { eventually } from '../support/eventually.js';
import { Receiver } from '../support/notify-receiver.js';
import { ensureBuilt, packagePath } from './systemd-dist.js';

const run = promisify(execFile);

let dir: string;
const receivers: Receiver[] = [];
let watchdog: RunningWatchdog | undefined;

beforeAll(async () => {
  ensureBuilt(['daemon/systemd/notify', 'daemon/systemd/notify-socket']);
  dir = await mkdtemp(join(tmpdir(), 'composed-notify-'));
}, 600_000);
afterEach(() => {
  watchdog?.stop();
  watchdog = undefined;
  for (const r of receivers.splice(0)) r.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function receiverAt(address: string): Promise<Receiver> {
  const receiver = await Receiver.bind(address);
  receivers.push(receiver);
  return receiver;
}

describe('sd_notify on a path NOTIFY_SOCKET (what systemd gives a service)', () => {
  it('delivers READY=1 with a status, STATUS= and STOPPING=1, sent by this very process', async () => {
    const path = join(dir, 'notify.sock');
    const receiver = await receiverAt(path);
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: path } });
    await notifier.ready('1 project, 4/4 replicas ready');
    await notifier.status('1 project, 3/4 replicas ready');
    await notifier.stopping('stopping; containers keep running');
    await eventually(() => expect(receiver.datagrams).toHaveLength(3), { timeoutMs: 5_000 });
    expect(receiver.datagrams).toEqual([
      { fields: { READY: '1', STATUS: '1 project, 4/4 replicas ready' }, pid: process.pid },
      { fields: { STATUS: '1 project, 3/4 replicas ready' }, pid: process.pid },
      { fields: { STOPPING: '1', STATUS: 'stopping; containers keep running' }, pid: process.pid },
    ]);
  });

  it('sends WATCHDOG=1 every half WATCHDOG_USEC while the probe passes, and none while it fails', async () => {
    const path = join(dir, 'watchdog.sock');
    const receiver = await receiverAt(path);
    const env = { NOTIFY_SOCKET: path, WATCHDOG_USEC: '200000', WATCHDOG_PID: String(process.pid) };
    let healthy = true;
    watchdog = startWatchdog({ notifier: new SystemdNotifier({ env }), probe: async () => healthy, env });
    expect(watchdog?.intervalMs).toBe(100);
    await eventually(() => expect(receiver.datagrams.length).toBeGreaterThanOrEqual(3), { timeoutMs: 5_000 });
    expect(receiver.datagrams.every((d) => d.fields.WATCHDOG === '1' && d.pid === process.pid)).toBe(true);

    healthy = false;
    await new Promise((resolve) => setTimeout(resolve, 150));
    const before = receiver.datagrams.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.datagrams.length).toBe(before);
  });

  it('works from the built daemon code in a plain node process (the native addon loads outside the test runner)', async () => {
    const path = join(dir, 'dist.sock');
    const receiver = await receiverAt(path);
    const script = `
      import { SystemdNotifier } from ${JSON.stringify(packagePath('dist/daemon/systemd/notify.js'))};
      const notifier = new SystemdNotifier();
      await notifier.ready('from dist');
      await notifier.stopping();
      console.log(process.pid);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NOTIFY_SOCKET: path } });
    const childPid = Number(stdout.trim());
    await eventually(() => expect(receiver.datagrams).toHaveLength(2), { timeoutMs: 5_000 });
    expect(receiver.datagrams).toEqual([
      { fields: { READY: '1', STATUS: 'from dist' }, pid: childPid },
      { fields: { STOPPING: '1' }, pid: childPid },
    ]);
  });
});

describe('sd_notify on an abstract NOTIFY_SOCKET (@name)', () => {
  it('delivers READY=1, STATUS= and STOPPING=1 through systemd-notify, on behalf of this process', async (ctx) => {
    const which = await run('sh', ['-c', 'command -v systemd-notify']).catch(() => undefined);
    if (!which) ctx.skip('systemd-notify is not installed (Debian package systemd); abstract NOTIFY_SOCKETs need it');
    const address = `@composed-test-${process.pid}-${Date.now()}`;
    const receiver = await receiverAt(address);
    const notifier = new SystemdNotifier({ env: { ...process.env, NOTIFY_SOCKET: address } });
    await notifier.ready('abstract ready');
    await notifier.status('abstract status');
    await notifier.stopping();
    await eventually(() => expect(receiver.datagrams).toHaveLength(3), { timeoutMs: 5_000 });
    // systemd-notify adds MAINPID=<ours>; as root it also sends with our pid in the credentials, so
    // NotifyAccess=main accepts it. Unprivileged, the kernel stamps systemd-notify's own pid.
    expect(receiver.datagrams.map((d) => d.fields)).toEqual([
      { MAINPID: String(process.pid), READY: '1', STATUS: 'abstract ready' },
      { MAINPID: String(process.pid), STATUS: 'abstract status' },
      { MAINPID: String(process.pid), STOPPING: '1' },
    ]);
    if (process.getuid?.() === 0) expect(receiver.datagrams.map((d) => d.pid)).toEqual([process.pid, process.pid, process.pid]);
  });
});
