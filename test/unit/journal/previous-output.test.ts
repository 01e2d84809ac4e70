import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PreviousOutput } from '../../../src/daemon/journal/previous-output.js';
import { FakeClock } from '../../support/fake-clock.js';

/** An engine whose containers printed these lines. */
function printed(byId: Record<string, string[]>) {
  return { logsTail: async (id: string) => byId[id] ?? [] };
}

function store(limits = { perReplica: 3, maxBytes: 1024 }) {
  const dir = mkdtempSync(join(tmpdir(), 'previous-'));
  const clock = new FakeClock();
  return { dir, clock, kept: new PreviousOutput(dir, limits, clock, pino({ level: 'silent' })) };
}

describe('output of replaced containers', () => {
  it('shows the latest replaced container first, of the service or of one replica', async () => {
    const { clock, kept } = store();
    const engine = printed({ a: ['a started', 'a crashed'], b: ['b said'], c: ['c said'] });
    await kept.capture(engine, 'shop', 'web', 1, 'a');
    await clock.advance(1_000);
    await kept.capture(engine, 'shop', 'web', 2, 'b');
    await clock.advance(1_000);
    await kept.capture(engine, 'shop', 'web', 1, 'c');
    expect(await kept.read('shop', 'web', { previous: 1 })).toMatchObject({ replica: 1, containerId: 'c', lines: ['c said'], kept: 3 });
    expect(await kept.read('shop', 'web', { previous: 2 })).toMatchObject({ replica: 2, containerId: 'b' });
    expect(await kept.read('shop', 'web', { replica: 1, previous: 2 })).toMatchObject({ containerId: 'a', lines: ['a started', 'a crashed'], kept: 2, truncated: false });
    expect(await kept.read('shop', 'web', { replica: 1, previous: 3 })).toBeUndefined();
    expect(await kept.read('shop', 'db', { previous: 1 })).toBeUndefined();
  });

  it('keeps the last few containers of each replica, each cut to its last bytes', async () => {
    const { dir, clock, kept } = store({ perReplica: 2, maxBytes: 20 });
    const engine = printed({ x: ['first line that is long', 'second', 'third'] });
    for (let i = 0; i < 4; i++) {
      await kept.capture(engine, 'shop', 'web', 1, 'x');
      await clock.advance(1_000);
    }
    await kept.settled();
    expect(readdirSync(join(dir, 'shop', 'web', '1'))).toHaveLength(2);
    expect(await kept.read('shop', 'web', { previous: 1 })).toMatchObject({ lines: ['second', 'third'], truncated: true });
  });

  it('an engine that cannot give the output loses nothing but that output', async () => {
    const { kept } = store();
    await kept.capture({ logsTail: async () => Promise.reject(new Error('gone')) }, 'shop', 'web', 1, 'x');
    expect(await kept.list('shop', 'web')).toEqual([]);
  });

  it('forgets a project that went down', async () => {
    const { kept } = store();
    await kept.capture(printed({ x: ['hi'] }), 'shop', 'web', 1, 'x');
    await kept.forget('shop');
    expect(await kept.list('shop', 'web')).toEqual([]);
  });
});
