// Small helpers shared by the benches: time, sleeping, polling with a bound, process runs.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Wall-clock time in epoch ms with sub-ms resolution (same clock as the engine's timeNano). */
export const nowMs = () => performance.timeOrigin + performance.now();

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `bench-<what>-<random6>`: a compose project name no one else uses. */
export function uniqueName(what) {
  return `bench-${what}-${randomBytes(3).toString('hex')}`;
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then returns undefined). */
export async function pollUntil(check, { timeoutMs, intervalMs = 50 }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() >= deadline) return undefined;
    await sleep(intervalMs);
  }
}

/** Runs a command to completion; resolves {code, stdout, stderr, ms}. Never rejects on exit codes. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const started = nowMs();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: nowMs() - started }));
  });
}

/** Like run, but throws with the output when the exit code is not 0. */
export async function runOk(cmd, args, opts = {}) {
  const result = await run(cmd, args, opts);
  if (result.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** Runs `work` for each item with at most `limit` in flight. */
export async function parallel(items, limit, work) {
  let next = 0;
  const results = new Array(items.length);
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  });
  await Promise.all(lanes);
  return results;
}

export const log = (...args) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);
