import { describe, expect, it } from 'vitest';
import type { RestartPolicy } from '../../../src/compose/model.js';
import { backoffDelay, decideRestart, NO_RESTARTS, type ReplicaExit } from '../../../src/daemon/core/restart-policy.js';

const policy = (over: Partial<RestartPolicy>): RestartPolicy => ({
  condition: 'any',
  unlessStopped: false,
  delayMs: 100,
  maxDelayMs: 60_000,
  windowMs: 10_000,
  ...over,
});
const exit = (over: Partial<ReplicaExit>): ReplicaExit => ({ cause: 'exit', exitCode: 1, oomKilled: false, ranForMs: 50, stoppedByUser: false, ...over });

describe('restart policy: which stops are replaced', () => {
  const rows: Array<[string, Partial<RestartPolicy>, Partial<ReplicaExit>, 'replace' | 'leave']> = [
    ['no never replaces a crash', { condition: 'none' }, {}, 'leave'],
    ['no never replaces a removal', { condition: 'none' }, { cause: 'removed', exitCode: undefined }, 'leave'],
    ['always replaces exit 0', { condition: 'any' }, { exitCode: 0 }, 'replace'],
    ['always replaces a removal', { condition: 'any' }, { cause: 'removed', exitCode: undefined }, 'replace'],
    ['always replaces a user stop', { condition: 'any' }, { exitCode: 0, stoppedByUser: true }, 'replace'],
    ['unless-stopped leaves a user stop', { condition: 'any', unlessStopped: true }, { exitCode: 0, stoppedByUser: true }, 'leave'],
    ['unless-stopped replaces a crash', { condition: 'any', unlessStopped: true }, {}, 'replace'],
    ['on-failure replaces exit 1', { condition: 'on-failure' }, {}, 'replace'],
    ['on-failure leaves exit 0', { condition: 'on-failure' }, { exitCode: 0 }, 'leave'],
    ['on-failure replaces an OOM kill even with exit 0', { condition: 'on-failure' }, { exitCode: 0, oomKilled: true }, 'replace'],
    ['on-failure replaces unhealthy', { condition: 'on-failure' }, { cause: 'unhealthy', exitCode: undefined }, 'replace'],
    ['on-failure leaves a removal', { condition: 'on-failure' }, { cause: 'removed', exitCode: undefined }, 'leave'],
  ];
  it.each(rows)('%s', (_name, p, e, expected) => {
    expect(decideRestart(policy(p), NO_RESTARTS, exit(e)).kind).toBe(expected);
  });
});

describe('restart policy: backoff', () => {
  it('doubles from delay per consecutive restart, capped at the max', () => {
    const p = policy({ delayMs: 100, maxDelayMs: 1_000 });
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(p, n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('walks a crash loop: growing delays, then resets after a run longer than the window', () => {
    const p = policy({ delayMs: 100, windowMs: 10_000 });
    let history = NO_RESTARTS;
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const d = decideRestart(p, history, exit({ ranForMs: 20 }));
      if (d.kind !== 'replace') throw new Error(d.reason);
      delays.push(d.delayMs);
      history = d.history;
    }
    expect(delays).toEqual([100, 200, 400, 800]);
    const afterLongRun = decideRestart(p, history, exit({ ranForMs: 10_001 }));
    expect(afterLongRun).toMatchObject({ kind: 'replace', delayMs: 100, history: { consecutive: 1, total: 5 } });
  });

  it('a zero delay stays zero (no backoff) however many restarts', () => {
    const d = decideRestart(policy({ delayMs: 0 }), { consecutive: 7, total: 7 }, exit({}));
    expect(d).toMatchObject({ kind: 'replace', delayMs: 0 });
  });
});

describe('restart policy: max attempts (on-failure:3)', () => {
  it('restarts 3 times, then gives up on the 4th failure with the reason', () => {
    const p = policy({ condition: 'on-failure', maxAttempts: 3 });
    let history = NO_RESTARTS;
    const kinds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const d = decideRestart(p, history, exit({}));
      kinds.push(d.kind);
      if (d.kind !== 'leave') history = d.history;
      if (d.kind === 'give-up') expect(d.reason).toBe('exited 1; gave up after 3 restarts (max_attempts 3)');
    }
    expect(kinds).toEqual(['replace', 'replace', 'replace', 'give-up']);
  });

  it('counts afresh after a run longer than the window', () => {
    const p = policy({ condition: 'on-failure', maxAttempts: 3 });
    const d = decideRestart(p, { consecutive: 3, total: 3 }, exit({ ranForMs: 60_000 }));
    expect(d).toMatchObject({ kind: 'replace', history: { consecutive: 1, total: 4 } });
  });
});
