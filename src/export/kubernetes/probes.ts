// healthcheck -> exec probes with the same command and timing.
//
// Readiness plays Docker's `healthy`: a pod gets traffic (and counts for depends_on waits) from its
// first passing check, as a container turns healthy from its first passing check even within
// start_period. Liveness plays composed's replacement of unhealthy replicas, so it waits out
// start_period (failures there do not count in Docker either), and it is left out when the service
// ignores unhealthy replicas (`x-composed.on_unhealthy: ignore`, or `restart: "no"`).
import type { Service } from '../../compose/model.js';
import { servicePath, type ExportContext } from './context.js';
import type { Probe } from './manifest.js';
import { seconds } from './quantity.js';

/** Docker's defaults when the healthcheck leaves a value out. */
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;

export interface Probes {
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}

export function probesFor(ctx: ExportContext, service: Service): Probes {
  const hc = service.healthcheck;
  const command = hc ? probeCommand(hc.test) : undefined;
  if (!hc || !command) return {};
  if (hc.startIntervalMs !== undefined) {
    ctx.warnings.add(servicePath(service, 'healthcheck.start_interval'), 'not carried over: probes run at the interval during the start period too');
  }
  const base: Probe = {
    exec: { command },
    periodSeconds: Math.max(1, seconds(hc.intervalMs ?? DEFAULT_INTERVAL_MS)),
    timeoutSeconds: Math.max(1, seconds(hc.timeoutMs ?? DEFAULT_TIMEOUT_MS)),
    failureThreshold: Math.max(1, hc.retries ?? DEFAULT_RETRIES),
  };
  const startPeriod = seconds(hc.startPeriodMs ?? 0);
  return {
    ...(service.composed.onUnhealthy === 'replace' ? { livenessProbe: { ...base, ...(startPeriod > 0 ? { initialDelaySeconds: startPeriod } : {}) } } : {}),
    readinessProbe: base,
  };
}

/** ["CMD", ...argv] runs argv; ["CMD-SHELL", cmd] runs cmd in /bin/sh as Docker does; ["NONE"] none. */
export function probeCommand(test: string[]): string[] | undefined {
  const [kind, ...rest] = test;
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', rest.join(' ')];
  return undefined;
}
