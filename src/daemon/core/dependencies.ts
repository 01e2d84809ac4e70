// depends_on conditions, decided from the dependencies' observed state. A service's first start
// waits until every dependency it names has reached its condition.
import type { DependsOn, Service } from '../../compose/model.js';
import type { ObservedService } from './observed.js';
import { isReady } from './observed.js';
import type { ReplicaMemory } from './replica-memory.js';

/** A dependency as the controller sees it right now. */
export interface DependencyState {
  /** The service exists in the project (and is active). */
  present: boolean;
  desired: number;
  running: number;
  /** Running and, where a healthcheck exists, healthy. */
  ready: number;
  hasHealthcheck: boolean;
  /** Exit codes of replicas that stopped for good (no replacement coming): one-shot jobs, give-ups. */
  exitCodes: number[];
  /** The dependency gave up (its restart policy is exhausted). */
  failed: boolean;
}

export type GateResult = { ok: true } | { ok: false; waiting: { message: string; blocked: boolean } };

export function dependencyGate(service: Service, deps: Readonly<Record<string, DependencyState>>): GateResult {
  const waiting: string[] = [];
  for (const [name, dependsOn] of Object.entries(service.dependsOn).sort(([a], [b]) => a.localeCompare(b))) {
    const state = deps[name];
    const verdict = conditionVerdict(name, dependsOn, state);
    if (verdict.kind === 'blocked') return { ok: false, waiting: { message: verdict.message, blocked: true } };
    if (verdict.kind === 'waiting') waiting.push(verdict.message);
  }
  return waiting.length === 0 ? { ok: true } : { ok: false, waiting: { message: waiting.join('; '), blocked: false } };
}

type Verdict = { kind: 'met' } | { kind: 'waiting' | 'blocked'; message: string };

function conditionVerdict(name: string, dependsOn: DependsOn, state: DependencyState | undefined): Verdict {
  if (!state || !state.present) {
    return dependsOn.required ? { kind: 'blocked', message: `dependency ${name} is not in the project` } : { kind: 'met' };
  }
  switch (dependsOn.condition) {
    case 'service_started':
      return state.running > 0 || state.exitCodes.length > 0 ? { kind: 'met' } : { kind: 'waiting', message: `waiting for ${name} to start` };
    case 'service_healthy':
      if (state.failed) return { kind: 'blocked', message: `dependency ${name} failed and will not become healthy` };
      if (!state.hasHealthcheck) return { kind: 'blocked', message: `dependency ${name} has no healthcheck (condition service_healthy)` };
      return state.ready >= Math.max(1, state.desired) ? { kind: 'met' } : { kind: 'waiting', message: `waiting for ${name} to be healthy` };
    case 'service_completed_successfully': {
      const failedCode = state.exitCodes.find((code) => code !== 0);
      if (failedCode !== undefined && state.running === 0) {
        return { kind: 'blocked', message: `dependency ${name} exited with code ${failedCode} (condition service_completed_successfully)` };
      }
      const done = state.running === 0 && state.exitCodes.length > 0 && failedCode === undefined;
      return done ? { kind: 'met' } : { kind: 'waiting', message: `waiting for ${name} to complete successfully` };
    }
  }
}

/** What one dependency looks like now, from its observed replicas and the daemon's memory of them. */
export function dependencyState(
  intent: { service: Service; replicas: number } | undefined,
  observed: ObservedService,
  memory: Readonly<Record<number, ReplicaMemory>>,
): DependencyState {
  const replicas = [...observed.replicas.values()];
  const remembered = Object.values(memory);
  // Stopped for good: decided, not to be replaced, after an exit of its own.
  const final = remembered.filter((m) => m.handled && m.handled.outcome !== 'replace' && m.lastExit?.cause === 'exit');
  return {
    present: intent !== undefined,
    desired: intent?.replicas ?? 0,
    running: replicas.filter((r) => r.container.state === 'running').length,
    ready: replicas.filter(isReady).length,
    hasHealthcheck: Boolean(intent?.service.healthcheck && intent.service.healthcheck.test[0] !== 'NONE') || replicas.some((r) => r.container.health !== 'none'),
    exitCodes: final.map((m) => m.lastExit?.exitCode ?? -1),
    failed: remembered.some((m) => m.handled?.outcome === 'give-up'),
  };
}

/** The services to restart because `replaced` was replaced: those whose depends_on on it says `restart: true`. */
export function dependantsToRestart(services: Readonly<Record<string, Service>>, replaced: string): string[] {
  return Object.entries(services)
    .filter(([, service]) => service.dependsOn[replaced]?.restart)
    .map(([name]) => name)
    .sort();
}

/** `up SERVICE...`: the named services and, unless --no-deps, everything they depend on, transitively. */
export function servicesToStart(services: Readonly<Record<string, Service>>, named: readonly string[], withDependencies: boolean): Set<string> {
  const chosen = new Set<string>();
  const visit = (name: string): void => {
    if (chosen.has(name) || !services[name]) return;
    chosen.add(name);
    if (withDependencies) for (const dep of Object.keys(services[name].dependsOn)) visit(dep);
  };
  for (const name of named) visit(name);
  return chosen;
}
