// One service's recent past, bounded by time: samples and marks older than the window fall off the
// front, and a count cap holds even if samples come faster than planned.
import type { HistoryMark, HistorySample } from '../../protocol/dashboard.js';

export class ServiceHistoryBuffer {
  private readonly samples: HistorySample[] = [];
  private readonly marks: HistoryMark[] = [];
  /** Goes up with every change, so a live page sends the history again only when it moved. */
  version = 0;

  constructor(
    readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  addSample(sample: HistorySample): void {
    this.samples.push(sample);
    this.trim(sample.at);
  }

  addMark(mark: HistoryMark): void {
    this.marks.push(mark);
    this.trim(mark.at);
  }

  snapshot(): { samples: HistorySample[]; marks: HistoryMark[] } {
    return { samples: [...this.samples], marks: [...this.marks] };
  }

  private trim(now: number): void {
    this.version++;
    const oldest = now - this.windowMs;
    for (const list of [this.samples, this.marks] as Array<Array<{ at: number }>>) {
      let drop = 0;
      while (drop < list.length && list[drop]!.at < oldest) drop++;
      drop = Math.max(drop, list.length - this.maxEntries);
      if (drop > 0) list.splice(0, drop);
    }
  }
}
