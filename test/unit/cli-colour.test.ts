import { describe, expect, it } from 'vitest';
import { colourWanted } from '../../src/cli/render/status.js';

describe('status colours', () => {
  it.each([
    ['a terminal', {}, true, true],
    ['a pipe', {}, false, false],
    ['a pipe in CI (picocolors alone would colour it)', { CI: 'true' }, false, false],
    ['NO_COLOR on a terminal', { NO_COLOR: '1' }, true, false],
    ['FORCE_COLOR into a pipe', { FORCE_COLOR: '1' }, false, true],
    ['NO_COLOR beats FORCE_COLOR', { NO_COLOR: '', FORCE_COLOR: '1' }, true, false],
    ['a dumb terminal', { TERM: 'dumb' }, true, false],
  ])('%s', (_name, env, tty, expected) => {
    expect(colourWanted(env, tty)).toBe(expected);
  });
});
