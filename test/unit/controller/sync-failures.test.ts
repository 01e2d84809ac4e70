import { describe, expect, it } from 'vitest';
import { RuntimeError } from '../../../src/daemon/ports/runtime.js';
import { SyncFailures } from '../../../src/daemon/supervisor/sync-failures.js';

const err = (kind: RuntimeError['kind']) => new RuntimeError(kind, `a ${kind} failure`, { statusCode: 500 });

describe('what a failed sync does next', () => {
  it('looks again soon after a stale listing (not found, conflict), then backs off', () => {
    const f = new SyncFailures();
    expect([1, 2, 3, 4, 5].map(() => f.failed('p/web', err('conflict'), 'h'))).toEqual([
      { kind: 'retry', delayMs: 100 },
      { kind: 'retry', delayMs: 100 },
      { kind: 'retry', delayMs: 100 },
      { kind: 'retry', delayMs: 5_000 },
      { kind: 'retry', delayMs: 10_000 },
    ]);
  });

  it('backs off a transient failure from 0.5 s to 30 s, and starts over after a success', () => {
    const g = new SyncFailures();
    const delays = [1, 2, 3, 4, 5, 6, 7].map(() => (g.failed('p/web', new Error('boom'), 'h') as { delayMs: number }).delayMs);
    expect(delays).toEqual([500, 1_000, 2_000, 5_000, 10_000, 30_000, 30_000]);
    g.succeeded('p/web');
    expect(g.failed('p/web', new Error('boom'), 'h')).toEqual({ kind: 'retry', delayMs: 500 });
  });

  it('halts on a terminal failure until the config changes or it is forgotten, saying so once', () => {
    const f = new SyncFailures();
    expect(f.failed('p/web', err('terminal'), 'h1')).toEqual({ kind: 'halt', firstTime: true });
    expect(f.failed('p/web', err('terminal'), 'h1')).toEqual({ kind: 'halt', firstTime: false });
    expect(f.isHalted('p/web', 'h1')).toBe(true);
    expect(f.haltedBy('p/web')).toBe('a terminal failure');
    expect(f.isHalted('p/web', 'h2')).toBe(false);
    expect(f.haltedBy('p/web')).toBeUndefined();
    f.failed('p/web', err('terminal'), 'h2');
    f.forget((k) => k.startsWith('p/'));
    expect(f.isHalted('p/web', 'h2')).toBe(false);
    expect(f.lastErrorOf('p/web')).toBeUndefined();
  });
});
