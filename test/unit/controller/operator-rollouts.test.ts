// The roll-outs an operator asks for, over the engine in memory on a fake clock: a rollback to the
// revision before an edit, pinned through reloads of the same file and lifted by an edit; a rolling
// restart that replaces every replica one roll-out step at a time; and a preview that changes nothing.
import { describe, expect, it } from 'vitest';
import { LABEL_CONFIG_HASH } from '../../../src/daemon/core/labels.js';
import { FakeClock } from '../../support/fake-clock.js';
import { runningNames, supervise } from './harness.js';

const app = (version: string) => `
name: shop
services:
  app:
    image: busybox
    environment: { VERSION: ${version} }
    deploy: { replicas: 2 }
`;

/** The VERSION every running replica runs: the record's config, when all of them carry its hash. */
function running(s: Awaited<ReturnType<typeof supervise>>): string {
  const record = s.registry.get('shop')!;
  const labels = [...new Set(runningNames(s.runtime).map((n) => s.runtime.byName(n)!.labels[LABEL_CONFIG_HASH]))];
  return labels.length === 1 && labels[0] === record.configHashes['app'] ? String(record.project.services['app']!.environment['VERSION']) : `mixed: ${labels.join(', ')}`;
}

describe('history, rollback and pins', () => {
  it('rolls back to the revision before the edit and keeps it until the file changes', async () => {
    const clock = new FakeClock();
    const s = await supervise(app('v1'), clock);
    await clock.advance(0);
    await s.edit(app('v2'));
    await clock.advance(10_000);
    expect(running(s)).toBe('v2');

    expect(await s.lifecycle.rollback('shop', 'app', undefined)).toMatchObject({ revision: 1, changed: ['environment.VERSION'] });
    await clock.advance(10_000);
    expect(running(s)).toBe('v1');
    expect(s.registry.get('shop')!.pins?.['app']).toMatchObject({ revision: 1 });

    await s.edit(app('v2'));
    await clock.advance(10_000);
    expect(running(s)).toBe('v1');
    const history = await s.lifecycle.history('shop', 'app');
    expect(history.revisions.map((r) => [r.revision, r.why, r.current])).toEqual([[1, 'up', false], [2, 'file-edit', false], [3, 'rollback', true]]);
    expect(history.pinned?.revision).toBe(1);

    await s.edit(app('v3'));
    await clock.advance(10_000);
    expect(running(s)).toBe('v3');
    expect(s.registry.get('shop')!.pins).toBeUndefined();
  });
});

describe('restart --rolling', () => {
  it('replaces every replica through the roll-out, labelled with the new generation; a reload after changes nothing', async () => {
    const clock = new FakeClock();
    const s = await supervise(app('v1'), clock);
    await clock.advance(0);
    const before = runningNames(s.runtime).map((n) => s.runtime.byName(n)!.id);
    const hash = s.registry.get('shop')!.configHashes['app'];
    expect(await s.lifecycle.rollingRestart('shop', 'app')).toEqual({ project: 'shop', service: 'app', order: 'start-first', replicas: 2 });
    await clock.advance(10_000);
    const after = runningNames(s.runtime).map((n) => s.runtime.byName(n)!);
    expect(after.map((c) => c.name)).toEqual(['shop-app-1', 'shop-app-2']);
    for (const c of after) {
      expect(before).not.toContain(c.id);
      expect(c.labels[LABEL_CONFIG_HASH]).toBe(`${hash}-r1`);
    }
    expect(s.runtime.count('create')).toBe(4);
    expect(s.registry.get('shop')!.rollouts['app']?.state).toBe('complete');

    await s.edit(app('v1'));
    await clock.advance(10_000);
    expect(s.runtime.count('create')).toBe(4);
    const preview = await s.lifecycle.preview(s.registry.get('shop')!.load, true);
    expect(preview.changes).toBe(false);
  });
});
