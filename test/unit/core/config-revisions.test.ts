import { describe, expect, it } from 'vitest';
import { changedKeys, currentRevision, rollbackTarget, withRevision, type RevisionEntry, type ServiceHistory } from '../../../src/daemon/core/config-revisions.js';
import { serviceFixture } from '../../support/fixtures.js';

const entry = (hash: string, greeting: string, extra: Partial<RevisionEntry> = {}): RevisionEntry => ({
  hash,
  service: serviceFixture('web', { environment: { GREETING: greeting } }),
  files: [{ path: '/p/compose.yaml', sha256: hash }],
  at: 0,
  why: 'up',
  ...extra,
});

const historyOf = (...entries: RevisionEntry[]): ServiceHistory => entries.reduce<ServiceHistory>((h, e) => withRevision(h, e), { revisions: [] });

describe('withRevision', () => {
  it('numbers new configs from 1 and adds none for the config the newest already runs', () => {
    const history = historyOf(entry('a', 'one'), entry('a', 'one', { why: 'file-edit' }), entry('b', 'two', { why: 'file-edit' }));
    expect(history.revisions.map((r) => [r.revision, r.hash, r.why])).toEqual([[1, 'a', 'up'], [2, 'b', 'file-edit']]);
  });

  it('keeps the newest N, numbers never reused', () => {
    let history: ServiceHistory = { revisions: [] };
    for (const hash of ['a', 'b', 'c', 'd']) history = withRevision(history, entry(hash, hash), 2);
    expect(history.revisions.map((r) => r.revision)).toEqual([3, 4]);
  });

  it('remembers the file hash of the last load even when no revision is added', () => {
    const history = historyOf(entry('a', 'one', { fileHash: 'a' }), entry('a', 'one', { fileHash: 'f2' }));
    expect(history).toMatchObject({ fileHash: 'f2', revisions: [{ revision: 1 }] });
    expect(withRevision(history, entry('c', 'three', { why: 'rollback' })).fileHash).toBe('f2');
  });
});

describe('rollbackTarget', () => {
  const history = historyOf(entry('a', 'one'), entry('b', 'two'), entry('a', 'one', { why: 'rollback', rolledBackTo: 1 }), entry('c', 'three'));

  it('defaults to the newest earlier revision with another config', () => {
    expect(rollbackTarget(history, 'c')).toMatchObject({ revision: 3, hash: 'a' });
    expect(rollbackTarget(history, 'a')).toMatchObject({ revision: 2, hash: 'b' });
  });

  it('takes --to, refusing one not kept or the one running', () => {
    expect(rollbackTarget(history, 'c', 2)).toMatchObject({ revision: 2 });
    expect(rollbackTarget(history, 'c', 9)).toBe('revision 9 is not kept (kept: 1, 2, 3, 4)');
    expect(rollbackTarget(history, 'c', 4)).toBe('revision 4 is the config it runs now');
    expect(rollbackTarget(historyOf(entry('a', 'one')), 'a')).toBe('no earlier revision with a different config is kept');
    expect(rollbackTarget(undefined, 'a')).toBe('no config history is kept for it');
  });

  it('finds the running revision by hash, the newest that has it', () => {
    expect(currentRevision(history, 'a')?.revision).toBe(3);
  });
});

describe('changedKeys', () => {
  it('names changed map entries by path and lists whole', () => {
    const before = serviceFixture('web', { environment: { GREETING: 'one', KEEP: 'x' }, command: ['a'] });
    const after = serviceFixture('web', { environment: { GREETING: 'two', KEEP: 'x', NEW: 'y' }, command: ['a', 'b'] });
    expect(changedKeys(before, after)).toEqual(['command', 'environment.GREETING', 'environment.NEW']);
    expect(changedKeys(before, before)).toEqual([]);
  });
});
