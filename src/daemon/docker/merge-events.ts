// One event iterable from the engine's stream and a push source (the daemon's own health probes),
// in arrival order. Ends when the engine's stream ends or the signal aborts.
import type { RuntimeEvent } from '../ports/runtime.js';

export async function* mergeEvents(
  engine: AsyncIterable<RuntimeEvent>,
  subscribe: (push: (event: RuntimeEvent) => void) => () => void,
  signal: AbortSignal,
): AsyncGenerator<RuntimeEvent> {
  const pending: RuntimeEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const push = (event: RuntimeEvent): void => {
    pending.push(event);
    wake?.();
  };
  const unsubscribe = subscribe(push);
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  const pumping = (async () => {
    try {
      for await (const event of engine) push(event);
    } finally {
      ended = true;
      wake?.();
    }
  })();
  try {
    while (!signal.aborted) {
      const next = pending.shift();
      if (next) {
        yield next;
        continue;
      }
      if (ended) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
    // The engine's stream ends on the signal's abort; a consumer that stops early leaves it to that.
    void pumping.catch(() => undefined);
  }
}
