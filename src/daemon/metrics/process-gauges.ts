// The daemon's own memory and event-loop delay for /metrics, read only when scraped. prom-client's
// default process metrics are not used: their event-loop timer and GC observer cost 1.2 % of a core
// on an idle daemon (overhead bench). Here memory is read at scrape time (no cost in between), and
// the event-loop monitor starts at the first scrape, at a 50 ms resolution (a 100 ms monitor cost
// an idle node 0.22 % of a core, bench/results/overhead.json), so a daemon nobody scrapes pays nothing.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

const LOOP_RESOLUTION_MS = 50;

export class ProcessGauges {
  private loop?: IntervalHistogram;
  private readonly rss: Gauge;
  private readonly heapUsed: Gauge;
  private readonly heapTotal: Gauge;
  private readonly external: Gauge;
  private readonly loopP99: Gauge;
  private readonly loopMax: Gauge;

  constructor(registry: Registry) {
    const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
    this.rss = gauge('composed_process_resident_memory_bytes', 'Resident set size of the daemon (process.memoryUsage().rss).');
    this.heapUsed = gauge('composed_process_heap_used_bytes', 'V8 heap in use (process.memoryUsage().heapUsed).');
    this.heapTotal = gauge('composed_process_heap_total_bytes', 'V8 heap reserved (process.memoryUsage().heapTotal).');
    this.external = gauge('composed_process_external_bytes', 'Memory of C++ objects bound to JS, buffers included (process.memoryUsage().external).');
    this.loopP99 = gauge('composed_event_loop_delay_p99_seconds', 'p99 event-loop delay since the previous scrape (0 at the first scrape, which starts the monitor).');
    this.loopMax = gauge('composed_event_loop_delay_max_seconds', 'Longest event-loop delay since the previous scrape.');
  }

  /** Sets every gauge from now; the event-loop figures cover the time since the previous call. */
  update(): void {
    const memory = process.memoryUsage();
    this.rss.set(memory.rss);
    this.heapUsed.set(memory.heapUsed);
    this.heapTotal.set(memory.heapTotal);
    this.external.set(memory.external);
    if (!this.loop) {
      this.loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
      this.loop.enable();
      this.loopP99.set(0);
      this.loopMax.set(0);
      return;
    }
    // The histogram counts the timer's own resolution in each delay; what is left is the delay.
    const delay = (ns: number) => Math.max(0, ns / 1e9 - LOOP_RESOLUTION_MS / 1000);
    this.loopP99.set(delay(this.loop.percentile(99)));
    this.loopMax.set(delay(this.loop.max));
    this.loop.reset();
  }
}
