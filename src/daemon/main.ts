// Wiring only: build the logger, runtime, registry, controller and API server, then run until a signal.
// SIGTERM/SIGINT stop taking requests, let operations in flight finish, and exit 0 with every
// container left running (a daemon upgrade must not take the apps down).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { createApiServer, listenOnSocket } from './api/server.js';
import { peerCredentialsAvailable } from './access/peer-credentials.js';
import { Autoscaler } from './autoscale/autoscaler.js';
import { Balancers } from './balancer/balancers.js';
import { Controller } from './supervisor/controller.js';
import { isReadyContainer } from './core/observed.js';
import { DockerRuntime } from './docker/runtime.js';
import { EventLog } from './events/event-log.js';
import { DEFAULT_JOURNAL_LIMITS, EventJournal, type JournalLimits } from './journal/event-journal.js';
import { DEFAULT_PREVIOUS_OUTPUT_LIMITS, PreviousOutput } from './journal/previous-output.js';
import { systemClock } from './ports/clock.js';
import type { SupervisionRuntime } from './ports/runtime.js';
import { ProjectLifecycle } from './lifecycle/project-lifecycle.js';
import { recoverFromLabels } from './lifecycle/recover-from-labels.js';
import { ServiceRevisions } from './lifecycle/service-revisions.js';
import { ConfigHistory } from './state/config-history.js';
import { listenForMetrics } from './metrics/metrics-listener.js';
import { DaemonMetrics } from './metrics/daemon-metrics.js';
import { serviceSamples } from './metrics/service-samples.js';
import { Notifier } from './notify/notifier.js';
import { worldFrom } from './notify/world.js';
import { ProjectRegistry } from './state/project-registry.js';
import { lockStateDir } from './state/state-lock.js';
import { StateStore } from './state/state-store.js';
import { SystemdNotifier } from './systemd/notify.js';
import { startWatchdog } from './systemd/watchdog.js';
import { ProjectWatcher } from './lifecycle/watcher.js';
import type { SupervisorParts } from './supervisor/parts.js';
import type { ApiContext } from './api/context.js';
import { HistorySampler } from './history/history-sampler.js';
import { HttpGate } from './http/http-gate.js';
import { listenOnTcp } from './http/http-listener.js';
import { resolveHttpToken, type TokenChoice } from './http/http-token.js';
import { browserOrigin, type ListenAddress } from './http/listen-address.js';
import type { NotifyTarget } from '../compose/notify-target.js';
import { TagFollower } from './updates/tag-follower.js';

export interface DaemonOptions {
  socket: string;
  stateDir: string;
  logLevel: string;
  logFormat: 'json' | 'pretty';
  /** Root-equivalent members (access/caller.ts). */
  socketGroup?: number;
  /** Members under the restricted policy (compose/restricted-policy.ts). */
  restrictedGroup?: number;
  /** The dashboard and the control API over TCP (--http), and how its token is had. */
  http?: { address: ListenAddress; token: TokenChoice };
  /** host:port for a TCP listener serving only /metrics (loopback unless asked otherwise). */
  metricsAddr?: string;
  resyncIntervalMs: number;
  /** Size and age limits of the event journal in the state dir. */
  journalLimits?: JournalLimits;
  /** Where every project's notifications go (`--notify`, COMPOSED_NOTIFY), besides each file's own. */
  notify: NotifyTarget[];
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
  const engineLogger = logger.child({ component: 'engine' });
  const runtime = DockerRuntime.fromEnv(process.env, (quirk, detail) => engineLogger.warn({ quirk, ...detail }, 'engine quirk'));
  const events = new EventLog(() => systemClock.now());
  const journal = new EventJournal(join(options.stateDir, 'journal'), options.journalLimits ?? DEFAULT_JOURNAL_LIMITS, systemClock, logger.child({ component: 'journal' }));
  const previousOutput = new PreviousOutput(join(options.stateDir, 'previous-output'), DEFAULT_PREVIOUS_OUTPUT_LIMITS, systemClock, logger.child({ component: 'previous-output' }));
  const balancers = new Balancers(logger.child({ component: 'balancer' }));
  const metrics: DaemonMetrics = new DaemonMetrics({
    // Read at scrape time, when the parts below exist.
    services: () => serviceSamples(parts, autoscaler),
    // Memory and event-loop delay come from metrics/process-gauges.ts, read only when scraped.
    balancer: () => balancers.samples(),
    notifications: () => notifications.deliveries(),
  });
  const registry = new ProjectRegistry({
    store: new StateStore(options.stateDir),
    logger: logger.child({ component: 'registry' }),
    onSaveFailed: (project, error) => events.emit({ project, type: 'engine', message: `state not saved: ${String(error)}` }),
  });
  const controller = new Controller(
    { runtime, clock: systemClock, logger: logger.child({ component: 'controller' }), events, resyncIntervalMs: options.resyncIntervalMs, metrics, balancers,
      keepOutput: (project, service, replica, id) => previousOutput.capture(runtime, project, service, replica, id) },
    registry,
  );
  const parts: SupervisorParts = { controller, registry, runtime, clock: systemClock, logger, balancers };
  const configHistory = new ConfigHistory(join(options.stateDir, 'config-history'), logger.child({ component: 'config-history' }));
  const lifecycle = new ProjectLifecycle({ ...parts, logger: logger.child({ component: 'lifecycle' }) }, new ServiceRevisions(configHistory, systemClock));
  const autoscaler = new Autoscaler({ ...parts, logger: logger.child({ component: 'autoscaler' }) });
  const notifications = new Notifier({
    clock: systemClock,
    logger: logger.child({ component: 'notify' }),
    events,
    projects: () => registry.all(),
    world: worldFrom({ ...parts, autoscaler, balancers }),
    daemonTargets: options.notify,
  });
  const groups = { socketGroup: options.socketGroup, restrictedGroup: options.restrictedGroup };
  // Without the kernel's word on who connects, a restricted member could not be told from root.
  if (options.restrictedGroup !== undefined && !peerCredentialsAvailable) throw new Error('--restricted-group needs the peer credentials of socket clients (SO_PEERCRED), which this build cannot read (native/peer-credentials is not built)');
  const tagFollower = new TagFollower({
    registry, runtime, images: runtime.imageStore(), lifecycle, clock: systemClock, logger: logger.child({ component: 'tag-follower' }),
    emit: (event) => controller.emit(event), listing: (project) => controller.lastListingOf(project),
  });
  const api: ApiContext = { ...parts, runtime, autoscaler, balancers, lifecycle, events, journal, previousOutput, metrics, notifications, groups, tagFollower, logger: logger.child({ component: 'api' }), version: options.version };
  const server = createApiServer(api);
  const notifier = new SystemdNotifier({ logger: logger.child({ component: 'systemd' }) });

  await runtime.ping().catch((error: unknown) => logger.warn({ err: error }, 'engine not reachable yet; retrying in the background'));
  await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  // Before anything is adopted: a listener that would be open to other hosts without a token stops the start.
  const httpToken = options.http && (await resolveHttpToken(options.http.address, options.http.token, options.stateDir));
  const gate = options.http && httpToken && new HttpGate(httpToken, systemClock, browserOrigin(options.http.address));
  if (gate) api.dashboardLogin = () => gate.loginLink();
  const lock = await lockStateDir(options.stateDir);
  const opened = await journal.open();
  if (opened.skipped > 0) logger.warn({ skipped: opened.skipped, kept: opened.events.length }, 'event journal: skipped lines that were not whole events (torn writes)');
  events.subscribe((event) => {
    journal.append(event);
    if (event.type === 'project-down' && event.project) void previousOutput.forget(event.project);
  });
  const unreadable = await registry.load();
  // Recovery lists containers once, now: give a dockerd that is still starting time to answer
  // (bounded, as the READY wait below), or the project would stay unsupervised until `up`.
  if (unreadable.length > 0) await waitForEngine(runtime, 30_000);
  await recoverFromLabels({ ...parts, logger: logger.child({ component: 'recovery' }) }, unreadable);
  // The balanced ports open before the first sync, which then fills in their backends.
  await lifecycle.followBalancers();
  await controller.run();
  // Files edited while the daemon was down are read now, as the watcher would have (a reload of an
  // unchanged file changes nothing; a broken one keeps the saved config running and says why).
  for (const { name } of registry.all()) await lifecycle.reload(name, 'daemon start');
  // READY=1 means "existing containers adopted": wait for the first resync (bounded: a slow engine
  // must not keep systemd waiting forever).
  const firstResyncBound = new AbortController();
  await Promise.race([controller.waitIdle(), systemClock.sleep(30_000, firstResyncBound.signal).catch(() => undefined)]);
  // The bound's timer would otherwise keep a stopped daemon's process alive for the rest of the 30 s.
  firstResyncBound.abort();
  autoscaler.start();
  notifications.start();
  tagFollower.start();
  const watcher = new ProjectWatcher(registry, systemClock, lifecycle, logger.child({ component: 'watcher' }));
  watcher.refresh();
  events.subscribe((event) => {
    if (event.type === 'project-up' || event.type === 'project-down') watcher.refresh();
  });
  await listenOnSocket(server, options.socket, groups);
  const metricsServer = options.metricsAddr ? await listenForMetrics(options.metricsAddr, metrics, logger) : undefined;
  const history = gate && new HistorySampler({ ...parts, autoscaler, events, logger: logger.child({ component: 'history' }) });
  history?.start();
  const httpServer = options.http && gate && history ? await listenOnTcp(api, gate, history, options.http.address) : undefined;
  if (options.http) logger.info({ http: `${options.http.address.host}:${options.http.address.port}`, tokenFile: httpToken?.file }, 'dashboard and API listening over TCP; `composed dashboard` prints a login link');
  logger.info({ socket: options.socket, stateDir: options.stateDir, projects: registry.size }, 'composed daemon ready');
  // READY=1 only now: existing containers are adopted and resynced, and the socket answers.
  await notifier.ready(summary(parts));
  // systemd arms its watchdog at READY=1; the probe fails while the engine is unreachable.
  const watchdog = startWatchdog({ notifier, probe: async () => controller.engineReachable, logger: logger.child({ component: 'systemd' }) });
  const statusTimer = setInterval(() => void notifier.status(summary(parts)), 10_000);
  statusTimer.unref();

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'stopping: finishing operations in flight; containers keep running');
      resolve();
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  await notifier.stopping('stopping; containers keep running');
  watchdog?.stop();
  clearInterval(statusTimer);
  metricsServer?.close();
  history?.stop();
  if (httpServer) {
    await new Promise<void>((resolve) => {
      httpServer.close(() => resolve());
      httpServer.closeAllConnections();
    });
  }
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  autoscaler.stop();
  notifications.stop();
  tagFollower.stop();
  await watcher.close();
  await controller.stop();
  await journal.flush();
  await previousOutput.settled();
  await balancers.close();
  await lock.release();
  logger.info('stopped');
}

async function waitForEngine(runtime: Pick<SupervisionRuntime, 'ping'>, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    if (await runtime.ping().then(() => true, () => false)) return;
    await systemClock.sleep(1_000);
  }
}

/** The one-line STATUS= systemd shows: projects and ready replicas. */
function summary({ controller, registry }: SupervisorParts): string {
  let desired = 0;
  let ready = 0;
  for (const record of registry.all()) {
    for (const name of Object.keys(record.project.services)) desired += registry.intentFor(record, name)?.replicas ?? 0;
    ready += controller.lastListingOf(record.name).filter(isReadyContainer).length;
  }
  const engine = controller.engineReachable ? '' : ', engine unreachable';
  return `${registry.size} projects, ${ready}/${desired} replicas ready${engine}`;
}
