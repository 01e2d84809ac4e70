// develop.watch ignore patterns and where a synced host file lands in the container.
import { describe, expect, it } from 'vitest';
import type { WatchRule } from '../../../src/compose/model.js';
import { ignoreMatcher } from '../../../src/cli/watch/ignore.js';
import { containerPathFor } from '../../../src/cli/watch/sync-batches.js';

describe('watch ignore patterns', () => {
  const ignored = ignoreMatcher(['node_modules/', '*.tmp', 'build/**/cache', '?.log']);
  it.each([
    ['node_modules', true],
    ['node_modules/x/y.js', true],
    ['src/a.tmp', false],
    ['a.tmp', true],
    ['build/x/y/cache/z', true],
    ['a.log', true],
    ['ab.log', false],
    ['.git/HEAD', true],
    ['src/index.js', false],
    ['', false],
  ])('%s -> %s', (path, expected) => expect(ignored(path)).toBe(expected));
});

describe('containerPathFor', () => {
  const rule: WatchRule = { path: '/proj/src', action: 'sync', target: '/app/src', ignore: [] };
  it('puts a file under the target as it is under the path; a file rule maps onto the target itself', () => {
    expect(containerPathFor(rule, '/proj/src/a/b.txt')).toBe('/app/src/a/b.txt');
    expect(containerPathFor({ ...rule, path: '/proj/package.json', target: '/app/package.json' }, '/proj/package.json')).toBe('/app/package.json');
  });
});
