// The daemon's events on disk, so they outlast a restart or a kill -9. Appending is synchronous
// and only queues the line: a timer on the clock writes the batch, so the supervisor never waits
// for the disk. Two files bound it: `events.ndjson` grows to half the size limit (or until its
// first event is older than the age limit) and then becomes `events.1.ndjson`, replacing the one
// before; a rotated file whose newest event is past the age limit is deleted. A torn line (a write
// cut short by kill -9 or a full disk) is skipped on read and counted.
import { appendFile, mkdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { DaemonEvent } from '../../protocol/api.js';
import type { Clock, Timer } from '../ports/clock.js';

export interface JournalLimits {
  /** Both files together stay under this many bytes. */
  maxBytes: number;
  /** Events older than this are not read back, and are deleted with their file. */
  maxAgeMs: number;
}

export const DEFAULT_JOURNAL_LIMITS: JournalLimits = { maxBytes: 16 * 2 ** 20, maxAgeMs: 7 * 24 * 3_600_000 };

export interface JournalRead {
  events: DaemonEvent[];
  /** Lines that were not a whole event (torn writes). */
  skipped: number;
}

/** Long enough to batch a crash storm's events into one write, short enough to lose little to kill -9. */
const FLUSH_DELAY_MS = 100;
/** Events held while the disk refuses writes (full, gone); the oldest are dropped beyond it. */
const MAX_PENDING = 10_000;

const CURRENT = 'events.ndjson';
const ROTATED = 'events.1.ndjson';

export class EventJournal {
  private pending: DaemonEvent[] = [];
  private timer?: Timer;
  /** Writes and reads run one after another on this chain, so a read sees each event once. */
  private chain: Promise<unknown> = Promise.resolve();
  private currentBytes = 0;
  private currentOldestMs?: number;
  private currentNewestMs?: number;
  private rotatedNewestMs?: number;
  private failing = false;
  /** A failed append may have left part of a line (ENOSPC after some bytes went out). */
  private mayEndMidLine = false;
  private droppedWhileFailing = 0;

  constructor(
    private readonly dir: string,
    private readonly limits: JournalLimits,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Reads what earlier runs left and ends a torn last line, so the next append starts a line of its own. */
  async open(): Promise<JournalRead> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const rotated = parseLines(await readText(join(this.dir, ROTATED)));
    const currentText = await readText(join(this.dir, CURRENT));
    if (currentText.length > 0 && !currentText.endsWith('\n')) await appendFile(join(this.dir, CURRENT), '\n');
    const current = parseLines(currentText);
    this.currentBytes = Buffer.byteLength(currentText) + (currentText.endsWith('\n') || currentText === '' ? 0 : 1);
    this.currentOldestMs = current.events.length > 0 ? Date.parse(current.events[0]!.time) : undefined;
    this.currentNewestMs = current.events.length > 0 ? Date.parse(current.events.at(-1)!.time) : undefined;
    this.rotatedNewestMs = rotated.events.length > 0 ? Date.parse(rotated.events.at(-1)!.time) : undefined;
    return { events: [...rotated.events, ...current.events], skipped: rotated.skipped + current.skipped };
  }

  /** Queues the event for the next batch; never waits. */
  append(event: DaemonEvent): void {
    this.pending.push(event);
    if (this.pending.length > MAX_PENDING) this.pending.splice(0, this.pending.length - MAX_PENDING);
    this.timer ??= this.clock.setTimer(FLUSH_DELAY_MS, () => {
      this.timer = undefined;
      void this.flush();
    });
  }

  /** Writes what is queued (the daemon's shutdown waits for it). */
  flush(): Promise<void> {
    const done = this.chain.then(() => this.writeBatch());
    this.chain = done;
    return done;
  }

  /** Events at or after `sinceMs` (and within the age limit), optionally of one project, oldest first. */
  read(filter: { project?: string; sinceMs?: number } = {}): Promise<JournalRead> {
    const done = this.chain.then(async () => {
      const rotated = parseLines(await readText(join(this.dir, ROTATED)));
      const current = parseLines(await readText(join(this.dir, CURRENT)));
      const from = Math.max(filter.sinceMs ?? -Infinity, this.clock.now() - this.limits.maxAgeMs);
      const events = [...rotated.events, ...current.events, ...this.pending].filter(
        (e) => (!filter.project || e.project === filter.project) && Date.parse(e.time) >= from,
      );
      return { events, skipped: rotated.skipped + current.skipped };
    });
    this.chain = done.catch(() => undefined);
    return done;
  }

  private async writeBatch(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    // After a failed append the file may end in a fragment: a newline first keeps it from running
    // into this batch's first event (the fragment is then a line of its own, skipped on read).
    const text = `${this.mayEndMidLine ? '\n' : ''}${batch.map((e) => `${JSON.stringify(e)}\n`).join('')}`;
    try {
      await this.rotateIfDue(Buffer.byteLength(text));
      await appendFile(join(this.dir, CURRENT), text, { mode: 0o600 });
      this.currentBytes += Buffer.byteLength(text);
      this.currentOldestMs ??= Date.parse(batch[0]!.time);
      this.currentNewestMs = Date.parse(batch.at(-1)!.time);
      if (this.failing) this.logger.info({ dropped: this.droppedWhileFailing }, 'event journal writable again');
      this.failing = false;
      this.mayEndMidLine = false;
      this.droppedWhileFailing = 0;
    } catch (error) {
      this.mayEndMidLine = true;
      // Kept for the next batch, bounded: a full disk must not grow the daemon's memory.
      const kept = [...batch, ...this.pending];
      this.droppedWhileFailing += Math.max(0, kept.length - MAX_PENDING);
      this.pending = kept.slice(-MAX_PENDING);
      if (!this.failing) this.logger.warn({ err: error, dir: this.dir }, 'event journal not written; keeping the events in memory and retrying');
      this.failing = true;
      this.timer ??= this.clock.setTimer(FLUSH_DELAY_MS * 10, () => {
        this.timer = undefined;
        void this.flush();
      });
    }
  }

  private async rotateIfDue(adding: number): Promise<void> {
    const now = this.clock.now();
    if (this.rotatedNewestMs !== undefined && this.rotatedNewestMs < now - this.limits.maxAgeMs) {
      await unlink(join(this.dir, ROTATED)).catch(ignoreMissing);
      this.rotatedNewestMs = undefined;
    }
    const tooBig = this.currentBytes > 0 && this.currentBytes + adding > this.limits.maxBytes / 2;
    const tooOld = this.currentOldestMs !== undefined && this.currentOldestMs < now - this.limits.maxAgeMs;
    if (!tooBig && !tooOld) return;
    await rename(join(this.dir, CURRENT), join(this.dir, ROTATED)).catch(ignoreMissing);
    this.rotatedNewestMs = this.currentNewestMs;
    this.currentBytes = 0;
    this.currentOldestMs = undefined;
    this.currentNewestMs = undefined;
  }
}

function parseLines(text: string): JournalRead {
  const events: DaemonEvent[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const event = parseEvent(line);
    if (event) events.push(event);
    else skipped++;
  }
  return { events, skipped };
}

function parseEvent(line: string): DaemonEvent | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null) return undefined;
    const e = value as Partial<DaemonEvent>;
    if (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time)) || typeof e.type !== 'string' || typeof e.message !== 'string') return undefined;
    return e as DaemonEvent;
  } catch {
    return undefined;
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    ignoreMissing(error);
    return '';
  }
}

function ignoreMissing(error: unknown): void {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
}
