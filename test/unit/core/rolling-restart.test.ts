import { describe, expect, it } from 'vitest';
import { keptGenerations, labelledHash } from '../../../src/daemon/core/rolling-restart.js';

describe('rolling restart generations', () => {
  it('labels with the config hash itself until a rolling restart, then with a hash per generation', () => {
    expect(labelledHash({ configHashes: { web: 'h1' } }, 'web')).toBe('h1');
    const first = labelledHash({ configHashes: { web: 'h1' }, restartGenerations: { web: 1 } }, 'web');
    const second = labelledHash({ configHashes: { web: 'h1' }, restartGenerations: { web: 2 } }, 'web');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(['h1', first, second]).size).toBe(3);
  });

  it('a new config keeps the generation of an unchanged service only (a changed one rolls anyway)', () => {
    const previous = { configHashes: { web: 'h1', api: 'a1' }, restartGenerations: { web: 2, api: 1 } };
    expect(keptGenerations(previous, { web: 'h1', api: 'a2' })).toEqual({ web: 2 });
    expect(keptGenerations(undefined, { web: 'h1' })).toEqual({});
  });
});
