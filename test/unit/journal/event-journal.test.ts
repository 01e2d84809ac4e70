import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { DaemonEvent } from '../../../src/protocol/api.js';
import { EventJournal, type JournalLimits } from '../../../src/daemon/journal/event-journal.js';
import { FakeClock } from '../../support/fake-clock.js';

const HOUR = 3_600_000;

function setup(limits: JournalLimits = { maxBytes: 1 << 20, maxAgeMs: 24 * HOUR }) {
  const dir = join(mkdtempSync(join(tmpdir(), 'journal-')), 'journal');
  const clock = new FakeClock();
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(String(JSON.parse(line).msg)) });
  const journal = () => new EventJournal(dir, limits, clock, logger);
  const event = (message: string, project = 'demo'): DaemonEvent => ({ time: new Date(clock.now()).toISOString(), project, type: 'replica-exited', message });
  return { dir, clock, journal, event, warnings };
}

describe('event journal', () => {
  it('queues appends without touching the disk and writes them as one batch when the timer fires', async () => {
    const { dir, clock, journal, event } = setup();
    const j = journal();
    await j.open();
    j.append(event('one'));
    j.append(event('two'));
    expect(readdirSync(dir)).toEqual([]);
    // Not yet written, still read back.
    expect((await j.read()).events.map((e) => e.message)).toEqual(['one', 'two']);
    await clock.advance(100);
    await j.flush();
    expect(readFileSync(join(dir, 'events.ndjson'), 'utf8').trim().split('\n')).toHaveLength(2);
    expect((await j.read()).events.map((e) => e.message)).toEqual(['one', 'two']);
  });

  it('reads back what an earlier daemon wrote, filtered by project and time', async () => {
    const { clock, journal, event } = setup();
    const first = journal();
    await first.open();
    first.append(event('old'));
    await clock.advance(HOUR);
    first.append(event('other project', 'other'));
    first.append(event('new'));
    await first.flush();
    const second = journal();
    expect((await second.open()).events).toHaveLength(3);
    const read = await second.read({ project: 'demo', sinceMs: clock.now() - HOUR / 2 });
    expect(read.events.map((e) => e.message)).toEqual(['new']);
  });

  it('skips and counts a torn last line, and the next event starts a line of its own', async () => {
    const { dir, journal, event } = setup();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'events.ndjson'), `${JSON.stringify(event('whole'))}\n{"time":"2023-11-14T22:1`);
    const j = journal();
    expect(await j.open()).toMatchObject({ skipped: 1, events: [{ message: 'whole' }] });
    j.append(event('after'));
    await j.flush();
    const read = await j.read();
    expect(read.events.map((e) => e.message)).toEqual(['whole', 'after']);
    expect(read.skipped).toBe(1);
  });

  it('after a failed append, the fragment it may have left does not swallow the next batch', async () => {
    const { dir, journal, event } = setup();
    const j = journal();
    await j.open();
    j.append(event('before'));
    await j.flush();
    // The append fails (the file is a directory now); a full disk would leave part of a line instead.
    const file = join(dir, 'events.ndjson');
    const kept = readFileSync(file, 'utf8');
    rmSync(file);
    mkdirSync(file);
    j.append(event('while failing'));
    await j.flush();
    rmSync(file, { recursive: true });
    writeFileSync(file, `${kept}{"time":"2023-11-14T22:1`);
    await j.flush();
    const read = await journal().open();
    expect(read.events.map((e) => e.message)).toEqual(['before', 'while failing']);
    expect(read.skipped).toBe(1);
  });

  it('stays within its size limit by rotating, dropping the oldest events', async () => {
    const { dir, journal, event } = setup({ maxBytes: 4_000, maxAgeMs: 24 * HOUR });
    const j = journal();
    await j.open();
    for (let i = 0; i < 200; i++) {
      j.append(event(`event ${i}`));
      await j.flush();
    }
    const bytes = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(4_000);
    const messages = (await j.read()).events.map((e) => e.message);
    expect(messages.at(-1)).toBe('event 199');
    expect(messages).not.toContain('event 0');
    expect(messages.length).toBeGreaterThan(10);
  });

  it('forgets events past the age limit and deletes their file', async () => {
    const { dir, clock, journal, event } = setup({ maxBytes: 1 << 20, maxAgeMs: 2 * HOUR });
    const j = journal();
    await j.open();
    j.append(event('ancient'));
    await j.flush();
    await clock.advance(3 * HOUR);
    expect((await j.read()).events).toEqual([]);
    j.append(event('recent'));
    await j.flush(); // rotates the old file out
    await clock.advance(3 * HOUR);
    j.append(event('latest'));
    await j.flush(); // deletes the rotated one, rotates the current
    const onDisk = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    expect(onDisk).not.toContain('ancient');
    expect(onDisk).toContain('latest');
    expect((await j.read()).events.map((e) => e.message)).toEqual(['latest']);
  });

  it('keeps events in memory while the disk refuses them, and writes them once it takes them again', async () => {
    const { dir, clock, journal, event, warnings } = setup();
    const j = journal();
    await j.open();
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'not a directory');
    j.append(event('while broken'));
    await j.flush();
    expect(warnings).toEqual(['event journal not written; keeping the events in memory and retrying']);
    expect((await j.read()).events.map((e) => e.message)).toEqual(['while broken']);
    rmSync(dir);
    mkdirSync(dir);
    await clock.advance(1_000);
    await j.flush();
    expect(readFileSync(join(dir, 'events.ndjson'), 'utf8')).toContain('while broken');
  });

  it('a line that is JSON but not an event is skipped too', async () => {
    const { dir, journal, event } = setup();
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, 'events.ndjson'), `{"time":"nope","type":"x","message":"m"}\n${JSON.stringify(event('fine'))}\n`);
    expect(await journal().open()).toMatchObject({ skipped: 1, events: [{ message: 'fine' }] });
  });
});
