// A crash storm as the storm and scale benches make it: SIGKILL from the host to pid 1 of the chosen
// containers, all within a few ms (as an OOM killer or a runtime crash would), then the time each
// one runs again. Not `docker kill`: the engine records that as a manual stop and its
// `--restart=always` then leaves the container down (observed on 20.10).
import { parallel, nowMs } from './util.mjs';

/** The containers' ids, names and host pids, read before the storm. */
export function killTargets(docker, listed) {
  return parallel(listed, 16, async (c) => {
    const i = await docker.getContainer(c.Id).inspect();
    return { id: c.Id, name: i.Name.slice(1), pid: i.State.Pid };
  });
}

/**
 * Kills every target, then waits (at most `timeoutMs`) until each runs again: for composed a new
 * container under the same name, for the engine the same container started again. Returns when the
 * kill began and each name's first start after it, in order.
 */
export async function killAndAwaitRestarts({ targets, recorder, from, contender, timeoutMs }) {
  const names = new Set(targets.map((t) => t.name));
  const oldIds = new Set(targets.map((t) => t.id));
  const t0 = nowMs();
  for (const t of targets) {
    try {
      process.kill(t.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const restartedAt = new Map();
  let unsubscribe = () => undefined;
  let timer;
  await new Promise((resolve) => {
    const check = (e) => {
      if (e.action !== 'start' || e.time < t0) return;
      const isReplacement = contender === 'composed' ? names.has(e.name) && !oldIds.has(e.id) : oldIds.has(e.id);
      if (isReplacement && !restartedAt.has(e.name)) restartedAt.set(e.name, e.time);
      if (restartedAt.size >= targets.length) resolve();
    };
    for (const e of recorder.since(from)) check(e);
    unsubscribe = recorder.subscribe(check);
    timer = setTimeout(resolve, timeoutMs);
  });
  clearTimeout(timer);
  unsubscribe();
  return { t0, oldIds, times: [...restartedAt.values()].sort((a, b) => a - b) };
}
