import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../../src/compose/dotenv.js';

const parse = (text: string, env: Record<string, string> = {}): Record<string, string> => {
  const r = parseDotenv(text, (k) => env[k]);
  if (!r.ok) throw new Error(r.error);
  return r.values;
};

describe('.env syntax', () => {
  it.each([
    ['FOO=bar', 'bar'],
    ['FOO = bar ', 'bar'],
    ['FOO: bar', 'bar'],
    ['export FOO=bar', 'bar'],
    ['FOO="bar baz"', 'bar baz'],
    ["FOO='$HOME \\n'", '$HOME \\n'],
    ['FOO="a\\nb\\t\\"c\\""', 'a\nb\t"c"'],
    ['FOO=bar # comment', 'bar'],
    ['FOO=bar#not-a-comment', 'bar#not-a-comment'],
    ['FOO="bar#baz" # comment', 'bar#baz'],
    ['FOO="line1\nline2"', 'line1\nline2'],
    ['FOO="\\$NOT"', '$NOT'],
    ['FOO=', ''],
  ])('%j', (line, expected) => {
    expect(parse(line).FOO).toBe(expected);
  });

  it('skips comments and blank lines, and interpolates from earlier keys', () => {
    expect(parse('# comment\n\nA=1\nB=${A}2\nC="$A-${B}"\n')).toEqual({ A: '1', B: '12', C: '1-12' });
  });

  it('looks up the environment first inside ${}', () => {
    expect(parse('HOST=file\nURL=http://${HOST}', { HOST: 'env' })).toEqual({ HOST: 'file', URL: 'http://env' });
  });

  it('takes a bare key from the environment', () => {
    expect(parse('PASSED\nOTHER=1', { PASSED: 'yes' })).toEqual({ PASSED: 'yes', OTHER: '1' });
  });

  it('reports errors with the line', () => {
    expect(parseDotenv('A=1\nB="open\n')).toMatchObject({ ok: false, line: 2, error: expect.stringContaining('unterminated quoted value') });
    expect(parseDotenv('A=1\nlol$wut=2')).toMatchObject({ ok: false, line: 2 });
    expect(parseDotenv('A=${B:?B is needed}')).toMatchObject({ ok: false, line: 1, error: 'required variable B is missing a value: B is needed' });
  });
});
