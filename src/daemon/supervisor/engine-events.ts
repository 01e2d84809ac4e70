// The engine's event stream into the supervisor. Events only enqueue and note what the next sync
// must know (a death the listing may lag, a stop by someone else); reconcile re-reads the world.
import type { Logger } from 'pino';
import { LABEL_NUMBER, LABEL_PROJECT, LABEL_SERVICE } from '../core/labels.js';
import type { RuntimeEvent, SupervisionRuntime } from '../ports/runtime.js';

export interface EventIntake {
  /** The project is supervised (events of others are ignored). */
  supervises(project: string): boolean;
  containerEvent(project: string, service: string, event: Extract<RuntimeEvent, { kind: 'container' }>, number: number): void;
  /** The stream (re)connected: whatever happened while nobody listened is found by a full resync. */
  connected(reconnect: boolean): void;
  disconnected(): void;
}

/** Reads the stream until the signal aborts; the runtime reconnects it with backoff. */
export async function followEngineEvents(runtime: SupervisionRuntime, intake: EventIntake, signal: AbortSignal, logger: Logger): Promise<void> {
  let connectedBefore = false;
  try {
    for await (const event of runtime.events(signal)) {
      if (event.kind === 'connected') {
        intake.connected(connectedBefore);
        connectedBefore = true;
      } else if (event.kind === 'disconnected') {
        intake.disconnected();
      } else {
        // Checked here, not trusted from a server-side filter: only our labelled containers count.
        const project = event.labels[LABEL_PROJECT];
        const service = event.labels[LABEL_SERVICE];
        if (project && service && intake.supervises(project)) intake.containerEvent(project, service, event, Number(event.labels[LABEL_NUMBER]));
      }
    }
  } catch (error) {
    if (!signal.aborted) logger.error({ err: error }, 'engine event stream ended');
  }
}
