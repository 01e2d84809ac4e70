// Wiring only: build the logger, runtime, store, controller and API server, then run until a signal.
// SIGTERM/SIGINT stop taking requests, let operations in flight finish, and exit 0 with every
// container left running (a daemon upgrade must not take the apps down).
import { pino, type Logger } from 'pino';
import { createApiServer, listenOnSocket } from './api/server.js';
import { Autoscaler } from './autoscaler.js';
import { Controller } from './controller.js';
import { DockerRuntime } from './docker/runtime.js';
import { EventLog } from './event-log.js';
import { systemClock } from './ports/clock.js';
import { ProjectLifecycle } from './project-lifecycle.js';
import { StateStore } from './state-store.js';
import { ProjectWatcher } from './watcher.js';

export interface DaemonOptions {
  socket: string;
  stateDir: string;
  logLevel: string;
  logFormat: 'json' | 'pretty';
  socketGroup?: number;
  resyncIntervalMs: number;
  version: string;
}

export function createLogger(options: Pick<DaemonOptions, 'logLevel' | 'logFormat'>): Logger {
  if (options.logFormat === 'pretty') {
    return pino({ level: options.logLevel, transport: { target: 'pino-pretty', options: { destination: 1 } } });
  }
  return pino({ level: options.logLevel });
}

export async function runDaemon(options: DaemonOptions): Promise<void> {
  const logger = createLogger(options);
  const runtime = DockerRuntime.fromEnv(process.env);
  const events = new EventLog(() => systemClock.now());
  const controller = new Controller({
    runtime,
    store: new StateStore(options.stateDir),
    clock: systemClock,
    logger: logger.child({ component: 'controller' }),
    events,
    resyncIntervalMs: options.resyncIntervalMs,
  });
  const lifecycle = new ProjectLifecycle(controller);
  const autoscaler = new Autoscaler(controller, logger.child({ component: 'autoscaler' }));
  const server = createApiServer({ controller, autoscaler, lifecycle, events, logger: logger.child({ component: 'api' }), version: options.version });

  await runtime.ping().catch((error: unknown) => logger.warn({ err: error }, 'engine not reachable yet; retrying in the background'));
  await controller.start();
  autoscaler.start();
  const watcher = new ProjectWatcher(controller, lifecycle, logger.child({ component: 'watcher' }));
  watcher.refresh();
  events.subscribe((event) => {
    if (event.type === 'project-up' || event.type === 'project-down') watcher.refresh();
  });
  await listenOnSocket(server, options.socket, options.socketGroup);
  logger.info({ socket: options.socket, stateDir: options.stateDir, projects: controller.records.size }, 'composed daemon ready');

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'stopping: finishing operations in flight; containers keep running');
      resolve();
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  autoscaler.stop();
  await watcher.close();
  await controller.stop();
  logger.info('stopped');
}
