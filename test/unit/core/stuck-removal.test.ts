import { describe, expect, it } from 'vitest';
import { removalFailedAgain, retryDelayMs, steppedAside, stuckWarning } from '../../../src/daemon/core/stuck-removal.js';

describe('stuck removals', () => {
  it('back off from 1 s, doubling, to at most 5 minutes', () => {
    expect([1, 2, 3, 4, 9, 10, 30].map(retryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000]);
  });

  it('count every failed try and keep the engine\'s last answer', () => {
    const first = steppedAside('p-web-1-dead-5', 'device or resource busy', 10_000);
    expect(first).toEqual({ name: 'p-web-1-dead-5', tries: 1, error: 'device or resource busy', retryAt: 11_000 });
    expect(removalFailedAgain(first, 'still busy', 11_000)).toEqual({ name: 'p-web-1-dead-5', tries: 2, error: 'still busy', retryAt: 13_000 });
  });

  it('say in status which container, how often it was tried, when next, and what the engine said', () => {
    expect(stuckWarning({ name: 'p-web-1-dead-5', tries: 3, error: 'device or resource busy', retryAt: 14_000 }, 10_000)).toBe(
      'old container p-web-1-dead-5 cannot be removed (3 tries, next in 4 s): device or resource busy',
    );
  });
});
