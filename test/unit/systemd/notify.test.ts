import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SystemdNotifier } from '../../../src/daemon/systemd/notify.js';
import { parseNotifySocket, type NotifyAddress } from '../../../src/daemon/systemd/notify-socket.js';

interface Sent {
  address: NotifyAddress;
  message: string;
}

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

function notifierWith(env: NodeJS.ProcessEnv, { fail = false } = {}) {
  const sent: Sent[] = [];
  const { logger, lines } = capturingLogger();
  const notifier = new SystemdNotifier({
    env,
    logger,
    transport: async (address, message) => {
      if (fail) throw new Error('sending to /run/systemd/notify: ECONNREFUSED');
      sent.push({ address, message });
    },
  });
  return { notifier, sent, logs: lines };
}

describe('NOTIFY_SOCKET', () => {
  it('names a path socket, an abstract socket (@), or nothing', () => {
    expect(parseNotifySocket('/run/systemd/notify')).toEqual({ kind: 'path', path: '/run/systemd/notify' });
    expect(parseNotifySocket('@/org/freedesktop/systemd1/notify')).toEqual({ kind: 'abstract', name: '/org/freedesktop/systemd1/notify' });
    expect(parseNotifySocket(undefined)).toBeUndefined();
    expect(parseNotifySocket('')).toBeUndefined();
  });

  it('rejects what is neither', () => {
    expect(() => parseNotifySocket('relative/notify')).toThrow(/neither an absolute path nor an abstract socket/);
    expect(() => parseNotifySocket('@')).toThrow();
  });
});

describe('SystemdNotifier', () => {
  it('does nothing when the daemon was not started by systemd', async () => {
    const { notifier, sent } = notifierWith({});
    expect(notifier.enabled).toBe(false);
    await notifier.ready('adopted 3 containers');
    await notifier.status('ok');
    await notifier.stopping();
    await notifier.watchdog();
    expect(sent).toEqual([]);
  });

  it('sends READY, STATUS, STOPPING and WATCHDOG as newline-separated assignments', async () => {
    const { notifier, sent } = notifierWith({ NOTIFY_SOCKET: '/run/systemd/notify' });
    expect(notifier.enabled).toBe(true);
    await notifier.ready('2 projects, 5/5 replicas ready');
    await notifier.status('2 projects, 4/5 replicas ready');
    await notifier.watchdog();
    await notifier.stopping('stopping; containers keep running');
    expect(sent.map((s) => s.message)).toEqual([
      'READY=1\nSTATUS=2 projects, 5/5 replicas ready',
      'STATUS=2 projects, 4/5 replicas ready',
      'WATCHDOG=1',
      'STOPPING=1\nSTATUS=stopping; containers keep running',
    ]);
    expect(sent[0]!.address).toEqual({ kind: 'path', path: '/run/systemd/notify' });
  });

  it('keeps a status to one line, since each line is its own assignment', async () => {
    const { notifier, sent } = notifierWith({ NOTIFY_SOCKET: '@notify' });
    await notifier.status('engine unreachable:\nconnect ENOENT /var/run/docker.sock\n');
    expect(sent).toEqual([{ address: { kind: 'abstract', name: 'notify' }, message: 'STATUS=engine unreachable: connect ENOENT /var/run/docker.sock' }]);
  });

  it('logs a failed notification instead of throwing', async () => {
    const { notifier, logs } = notifierWith({ NOTIFY_SOCKET: '/run/systemd/notify' }, { fail: true });
    await expect(notifier.ready()).resolves.toBeUndefined();
    expect(logs).toMatchObject([{ level: 40, msg: 'could not notify systemd', notification: 'READY=1', err: { message: expect.stringContaining('ECONNREFUSED') } }]);
  });

  it('ignores an unusable NOTIFY_SOCKET with a warning', async () => {
    const { notifier, sent, logs } = notifierWith({ NOTIFY_SOCKET: 'vsock:2:1234' });
    expect(notifier.enabled).toBe(false);
    await notifier.ready();
    expect(sent).toEqual([]);
    expect(logs).toMatchObject([{ level: 40, msg: 'ignoring NOTIFY_SOCKET' }]);
  });
});
