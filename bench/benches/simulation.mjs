// Bench 10, the simulation: the supervisor over the tests' engine in memory and fake clock
// (bench/simulation/simulate.ts) at 1k, 10k and 100k running replicas in one project, each size in
// its own node process. Per replica death: engine calls, containers the listings returned, state
// writes, heap growth and CPU until its replacement runs; and a full resync's cost, the longest it
// held the event loop, and how long a death during it waited. No engine is used.
import { join } from 'node:path';
import { summarize } from '../lib/stats.mjs';
import { log, runOk } from '../lib/util.mjs';

const SIZES = (process.env.COMPOSED_BENCH_SIMULATION_SIZES ?? '1000,10000,100000').split(',').map(Number);
const DEATHS = 20;
const RUNNER = join(import.meta.dirname, '../simulation/run.mjs');

export const meta = { name: 'simulation', title: 'Cost per event (simulation)', engine: false };

export async function run() {
  const sizes = [];
  for (const replicas of SIZES) {
    // A young generation large enough that one death's garbage is not collected before it is counted.
    const { stdout, ms } = await runOk(process.execPath, ['--expose-gc', '--max-semi-space-size=256', '--max-old-space-size=8192', RUNNER, String(replicas), String(DEATHS)]);
    const f = JSON.parse(stdout.trim().split('\n').at(-1));
    const per = (k) => summarize(f.perEvent.map((e) => e[k]));
    const calls = summarize(f.perEvent.map((e) => Object.values(e.calls).reduce((a, b) => a + b, 0)));
    sizes.push({
      replicas: f.replicas,
      services: f.services,
      setupMs: f.setupMs,
      processMs: ms,
      perEvent: { engineCalls: calls, callsByMethod: f.perEvent[0]?.calls, listed: per('listed'), stateWrites: per('stateWrites'), heapKiB: per('heapKiB'), cpuMs: per('cpuMs'), engineMs: per('engineMs'), collections: per('collections') },
      storm: f.storm,
      resync: f.resync,
      eventDuringResync: f.eventDuringResync,
      stateFileBytes: f.stateFileBytes,
    });
    log(`simulation: ${f.replicas} replicas: per death ${per('listed').median} listed, ${per('cpuMs').median.toFixed(1)} ms CPU, ${Math.round(per('heapKiB').median)} KiB; resync ${Math.round(f.resync.cpuMs)} ms CPU, longest block ${Math.round(f.resync.longestBlockMs)} ms`);
  }
  return { sizes, config: { deaths: DEATHS, perService: 20 } };
}
