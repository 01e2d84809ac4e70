// The engine the daemon talks to, for GET /v1/version and status: asked with a deadline, so an engine
// that hangs never holds up an answer that does not need it.
import type { EngineDescription } from '../../protocol/api.js';
import { systemClock, type Clock, type Timer } from '../ports/clock.js';
import type { SupervisionRuntime } from '../ports/runtime.js';

export async function describeEngine(
  runtime: Pick<SupervisionRuntime, 'engineInfo'>,
  deadlineMs = 2_000,
  clock: Clock = systemClock,
): Promise<{ engine?: EngineDescription; engineError?: string }> {
  if (!runtime.engineInfo) return { engineError: 'this runtime does not say which engine it is' };
  let timer: Timer | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = clock.setTimer(deadlineMs, () => reject(new Error(`the engine did not answer within ${deadlineMs} ms`)));
  });
  try {
    const info = await Promise.race([runtime.engineInfo(), late]);
    return { engine: { name: info.name, version: info.version, apiVersion: info.apiVersion, address: info.address, source: info.source } };
  } catch (error) {
    return { engineError: error instanceof Error ? error.message : String(error) };
  } finally {
    timer?.cancel();
  }
}
