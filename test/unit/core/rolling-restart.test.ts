import { describe, expect, it } from 'vitest';
import { keptGenerations, labelledHash, parseLabelledHash } from '../../../src/daemon/core/rolling-restart.js';

describe('rolling restart generations', () => {
  it('labels with the config hash itself until a rolling restart, then with a hash per generation', () => {
    expect(labelledHash({ configHashes: { web: 'h1' } }, 'web')).toBe('h1');
    const first = labelledHash({ configHashes: { web: 'h1' }, restartGenerations: { web: 1 } }, 'web');
    const second = labelledHash({ configHashes: { web: 'h1' }, restartGenerations: { web: 2 } }, 'web');
    expect([first, second]).toEqual(['h1-r1', 'h1-r2']);
  });

  it('reads a label back into the config hash and its generation', () => {
    expect(parseLabelledHash('abc-r2')).toEqual({ hash: 'abc', generation: 2 });
    expect(parseLabelledHash('abc')).toEqual({ hash: 'abc', generation: 0 });
    expect(parseLabelledHash('abc-rx')).toEqual({ hash: 'abc-rx', generation: 0 });
  });

  it('a new config keeps the generation of an unchanged service only (a changed one rolls anyway)', () => {
    const previous = { configHashes: { web: 'h1', api: 'a1' }, restartGenerations: { web: 2, api: 1 } };
    expect(keptGenerations(previous, { web: 'h1', api: 'a2' })).toEqual({ web: 2 });
    expect(keptGenerations(undefined, { web: 'h1' })).toEqual({});
  });
});
