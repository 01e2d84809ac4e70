// Runs a service's post_start or pre_stop hooks in one container, in order, for the executor.
// As docker compose does, the first hook that fails ends the list. What each did is returned for
// the events (core/apply-results.ts); whether the operation goes on is the caller's rule:
// a failed post_start leaves the container running (compose leaves it too), a failed pre_stop
// does not keep a container from stopping (a supervisor must be able to roll out and go down).
import type { Logger } from 'pino';
import type { ServiceHook } from '../../compose/model.js';
import type { HookRun, HookStage } from '../core/plan.js';
import { RuntimeError, type SupervisionRuntime } from '../ports/runtime.js';

/**
 * How long a post_start hook is waited for. compose waits without end; a supervisor's sync for the
 * service would then never finish, so past this the hook is reported and left to run on.
 */
export const POST_START_PATIENCE_MS = 60_000;

export interface HookContext {
  runtime: SupervisionRuntime;
  logger: Logger;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export async function runHooks(stage: HookStage, hooks: readonly ServiceHook[] | undefined, containerId: string, patienceMs: number, ctx: HookContext): Promise<HookRun[]> {
  const runs: HookRun[] = [];
  for (const [index, hook] of (hooks ?? []).entries()) {
    const run = await runOne(stage, index, hook, containerId, patienceMs, ctx);
    if (!run) break; // the container is not running: a pre_stop has nothing to run in
    runs.push(run);
    ctx.logger.info({ hook: stage, index, exitCode: run.exitCode, output: run.output, error: run.error }, `${stage} hook ${index + 1} ran`);
    if (run.error !== undefined || run.exitCode !== 0) break;
  }
  return runs;
}

async function runOne(stage: HookStage, index: number, hook: ServiceHook, containerId: string, patienceMs: number, ctx: HookContext): Promise<HookRun | undefined> {
  const abort = new AbortController();
  // Aborted in `finally` once the hook is done, so no timer outlives it.
  const timedOut = ctx.sleep(patienceMs, abort.signal).then(
    () => 'timeout' as const,
    () => 'timeout' as const,
  );
  try {
    const result = await Promise.race([ctx.runtime.runHook(containerId, hook, abort.signal), timedOut]);
    if (result === 'timeout') return { stage, index, containerId, output: '', error: `still running after ${patienceMs / 1000} s; no longer waited for` };
    return { stage, index, containerId, ...result };
  } catch (error) {
    const gone = error instanceof RuntimeError && (error.kind === 'not-found' || error.kind === 'conflict');
    if (gone && stage === 'pre_stop') return undefined;
    return { stage, index, containerId, output: '', error: error instanceof Error ? error.message : String(error) };
  } finally {
    abort.abort();
  }
}
