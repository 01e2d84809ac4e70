import { describe, expect, it } from 'vitest';
import { parseBytes, parseCpus, parseDuration } from '../../../src/compose/units.js';

describe('durations', () => {
  it.each([
    ['1m30s', 90_000], ['500ms', 500], ['2h', 7_200_000], ['10s', 10_000], ['0', 0], ['1.5s', 1500],
    ['1h5m30s20ms', 3_930_020], ['100us', 0.1],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['10', '10 s', 's', '1d', '', '5sec'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('byte sizes', () => {
  it.each([
    ['512m', 536_870_912], ['1.5g', 1_610_612_736], ['1024', 1024], ['640kb', 655_360], ['50M', 52_428_800],
    ['2b', 2], ['1gb', 1_073_741_824], [1024, 1024], [-1, -1],
  ] as const)('%s = %d bytes', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });
  it.each(['12q', 'lots', '', '1.5']) ('%j is not a size', (text) => {
    expect(parseBytes(text)).toBe(text === '1.5' ? 1 : undefined);
  });
});

describe('cpus', () => {
  it('reads strings and numbers', () => {
    expect(parseCpus('0.5')).toBe(0.5);
    expect(parseCpus(2)).toBe(2);
    expect(parseCpus('two')).toBeUndefined();
    expect(parseCpus(-1)).toBeUndefined();
  });
});
