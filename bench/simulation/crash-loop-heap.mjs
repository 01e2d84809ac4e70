// Runs crash-loop-heap.ts: `node --expose-gc bench/simulation/crash-loop-heap.mjs [rounds]` (default
// 2,801 rounds, 28,000 restarts); prints one JSON line per measurement.
import { runnerImport } from 'vite';
import { REPO_ROOT } from '../lib/daemon.mjs';

const rounds = Number(process.argv[2] ?? 2801);
const { module } = await runnerImport(new URL('./crash-loop-heap.ts', import.meta.url).pathname, { root: REPO_ROOT, configFile: false, logLevel: 'error' });
for (const row of await module.crashLoopHeap(rounds)) process.stdout.write(JSON.stringify(row) + '\n');
process.exit(0);
