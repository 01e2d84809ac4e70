// The event journal as a reader finds it after a fault: what is on disk (whole events, and lines
// that are not: torn writes), and whether every event that was on disk before the fault is still
// answered by /v1/events after it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DaemonEvent } from '../../../src/protocol/api.js';
import type { DaemonHandle } from '../../support/daemon.js';

const FILES = ['events.1.ndjson', 'events.ndjson'];

export interface JournalOnDisk {
  events: DaemonEvent[];
  /** Lines that are not a whole event. */
  torn: number;
}

export async function journalOnDisk(stateDir: string): Promise<JournalOnDisk> {
  const out: JournalOnDisk = { events: [], torn: 0 };
  for (const name of FILES) {
    const text = await readFile(join(stateDir, 'journal', name), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        out.events.push(JSON.parse(line) as DaemonEvent);
      } catch {
        out.torn++;
      }
    }
  }
  return out;
}

/** What is wrong with the journal now, given the events that were on disk before the fault. */
export async function journalProblems(daemon: DaemonHandle, before: readonly DaemonEvent[]): Promise<string[]> {
  const answered: DaemonEvent[] = [];
  try {
    for await (const e of daemon.client.lines<DaemonEvent>('/v1/events?since=0')) answered.push(e);
  } catch (error) {
    return [`/v1/events did not answer: ${String(error).slice(0, 200)}`];
  }
  const seen = new Set(answered.map(eventKey));
  const lost = before.filter((e) => !seen.has(eventKey(e)));
  return lost.length === 0 ? [] : [`${lost.length} of ${before.length} journal events written before the fault are not read back (first: ${lost[0]?.time} ${lost[0]?.message})`];
}

function eventKey(e: DaemonEvent): string {
  return `${e.time} ${e.type} ${e.project ?? ''} ${e.service ?? ''} ${e.replica ?? ''} ${e.message}`;
}
