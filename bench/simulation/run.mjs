// One simulation in this process: `node --expose-gc --max-semi-space-size=256 bench/simulation/run.mjs
// <replicas> <deaths>`; prints its figures as JSON. simulate.ts is TypeScript over the daemon's
// sources and the tests' fakes, so vite (a dev dependency, through vitest) compiles it on the way in.
import { runnerImport } from 'vite';
import { REPO_ROOT } from '../lib/daemon.mjs';

const [replicas, deaths] = process.argv.slice(2).map(Number);
const { module } = await runnerImport(new URL('./simulate.ts', import.meta.url).pathname, { root: REPO_ROOT, configFile: false, logLevel: 'error' });
const figures = await module.simulate({ replicas, deaths });
process.stdout.write(JSON.stringify(figures) + '\n');
process.exit(0);
