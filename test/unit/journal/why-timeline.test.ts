import { describe, expect, it } from 'vitest';
import type { DaemonEvent } from '../../../src/protocol/api.js';
import { whyTimeline, type WhyInput } from '../../../src/daemon/journal/why-timeline.js';

const T = Date.parse('2026-12-01T03:00:00.000Z');
const at = (s: number) => new Date(T + s * 1000).toISOString();
const ev = (s: number, type: DaemonEvent['type'], message: string, extra: Partial<DaemonEvent> = {}): DaemonEvent => ({ time: at(s), project: 'shop', service: 'web', replica: 1, type, message, ...extra });

function why(overrides: Partial<WhyInput>) {
  return whyTimeline({ project: 'shop', service: 'web', events: [], kept: [], lastExits: {}, limit: 20, lines: 3, ...overrides });
}

describe('why: one timeline per replica', () => {
  it('gives each death its exit code, signal and the last lines of the container that died', () => {
    const report = why({
      events: [
        ev(0, 'replica-created', 'missing replica'),
        ev(10, 'backoff', 'exited 3; restart 1 after 100 ms'),
        ev(10.1, 'replica-replaced', 'exited 3; restart 1 after 100 ms'),
        ev(20, 'gave-up', 'exited 137 (OOM killed); gave up after 1 restart (max_attempts 1)'),
        ev(5, 'scaled', 'scaled to 2 by a user', { replica: undefined }),
        ev(6, 'engine', 'engine unreachable', { project: undefined, service: undefined, replica: undefined }),
        ev(7, 'backoff', 'exited 1; restart 1 after 100 ms', { service: 'db' }),
      ],
      kept: [{ replica: 1, keptAt: T + 10_100, lines: ['a', 'b', 'boom'] }],
      lastExits: { 1: { containerId: 'c2', cause: 'exit', exitCode: 137, oomKilled: true, at: T + 20_000, logTail: ['x', 'y', 'z', 'out of memory'] } },
    });
    expect(report.serviceIncidents.map((i) => `${i.kind}: ${i.cause}`)).toEqual(['scaled: scaled to 2 by a user', 'engine: engine unreachable']);
    expect(report.replicas).toEqual([
      {
        replica: 1,
        incidents: [
          { at: at(10), kind: 'restart', cause: 'exited 3; restart 1 after 100 ms', exitCode: 3, lastLines: ['a', 'b', 'boom'] },
          { at: at(20), kind: 'give-up', cause: 'exited 137 (OOM killed); gave up after 1 restart (max_attempts 1)', exitCode: 137, signal: 'SIGKILL', oomKilled: true, lastLines: ['y', 'z', 'out of memory'] },
        ],
      },
    ]);
  });

  it('an unhealthy replica shows the probe output its event carried', () => {
    const report = why({ events: [ev(1, 'backoff', 'unhealthy; restart 1 after 100 ms (last probe: connection refused)')] });
    expect(report.replicas[0]?.incidents[0]).toMatchObject({ kind: 'unhealthy', healthOutput: 'connection refused' });
  });

  it('an exit the daemon remembers but no event shows still appears', () => {
    const report = why({ lastExits: { 2: { containerId: 'c', cause: 'exit', exitCode: 2, oomKilled: false, at: T, logTail: ['bye'] } } });
    expect(report.replicas).toEqual([{ replica: 2, incidents: [{ at: at(0), kind: 'exit', cause: 'exited 2', exitCode: 2, lastLines: ['bye'] }] }]);
  });

  it('keeps the latest incidents within the limit', () => {
    const events = Array.from({ length: 30 }, (_, i) => ev(i, 'backoff', `exited ${i}; restart after 100 ms`));
    const incidents = why({ events, limit: 5 }).replicas[0]!.incidents;
    expect(incidents.map((i) => i.exitCode)).toEqual([25, 26, 27, 28, 29]);
  });
});
