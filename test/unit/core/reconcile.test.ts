// Golden plans: each case states the world, and the plan reconcile prints for it.
import { describe, expect, it } from 'vitest';
import type { Service } from '../../../src/compose/model.js';
import type { DependencyState } from '../../../src/daemon/core/dependencies.js';
import { collectObserved } from '../../../src/daemon/core/observed.js';
import { formatPlan } from '../../../src/daemon/core/plan.js';
import { reconcile, REMOVING_PATIENCE_MS } from '../../../src/daemon/core/reconcile.js';
import type { ServiceIntent } from '../../../src/daemon/core/service-intent.js';
import { freshMemory, type ReplicaMemory } from '../../../src/daemon/core/replica-memory.js';
import type { StuckRemoval } from '../../../src/daemon/core/stuck-removal.js';
import type { ContainerDetails, ContainerSummary } from '../../../src/daemon/ports/runtime.js';
import { containerFixture, detailsFixture, serviceFixture } from '../../support/fixtures.js';

const P = 'shop';
const NOW = 100_000;

function run(opts: {
  service?: Partial<Service>;
  intent?: Partial<ServiceIntent> | null;
  containers?: ContainerSummary[];
  details?: ContainerDetails[];
  memory?: Record<number, Partial<ReplicaMemory>>;
  stuck?: Record<string, StuckRemoval>;
  dependencies?: Record<string, DependencyState>;
  now?: number;
}) {
  const service = serviceFixture('web', opts.service);
  const intent: ServiceIntent | undefined =
    opts.intent === null ? undefined : { service, configHash: 'h1', replicas: service.replicas, stopped: false, rolloutPaused: false, ...opts.intent };
  const details = new Map((opts.details ?? []).map((d) => [d.id, d]));
  const memory = Object.fromEntries(Object.entries(opts.memory ?? {}).map(([n, m]) => [n, { ...freshMemory(), ...m }]));
  const result = reconcile({
    project: P,
    intent,
    observed: collectObserved(P, 'web', opts.containers ?? [], details),
    memory,
    stuck: opts.stuck,
    dependencies: opts.dependencies ?? {},
    now: opts.now ?? NOW,
  });
  return { ...result, text: formatPlan(result.plan) };
}

const c = (n: number, over: Parameters<typeof containerFixture>[3] = {}) => containerFixture(P, 'web', n, over);
const exited = (n: number, exitCode: number, over: Partial<ContainerDetails> = {}) => {
  const summary = c(n, { state: 'exited' });
  return { summary, details: detailsFixture(summary, { exitCode, startedAt: NOW - 1_000, finishedAt: NOW - 500, ...over }) };
};

describe('reconcile: replica counts', () => {
  it('creates every replica on first start', () => {
    expect(run({ service: { replicas: 3 } }).text).toBe(
      ['create web#1 (first start)', 'create web#2 (first start)', 'create web#3 (first start)'].join('\n'),
    );
  });

  it('does nothing when the world matches', () => {
    const r = run({ service: { replicas: 2 }, containers: [c(1), c(2)], memory: { 1: { containerId: 'web-1-id' }, 2: { containerId: 'web-2-id' } } });
    expect(r.text).toBe('(nothing to do)');
  });

  it('scales up with the next numbers and never touches running replicas', () => {
    const r = run({ intent: { replicas: 3 }, containers: [c(1)], memory: { 1: { containerId: 'web-1-id' } } });
    expect(r.text).toBe(['create web#2 (missing replica)', 'create web#3 (missing replica)'].join('\n'));
  });

  it('scales down by removing the highest numbers first', () => {
    const r = run({ intent: { replicas: 1 }, containers: [c(1), c(2), c(3)] });
    expect(r.text).toBe(['remove web#3 (scale down to 1)', 'remove web#2 (scale down to 1)'].join('\n'));
  });

  it('removes everything of a service that left the project', () => {
    expect(run({ intent: null, containers: [c(1), c(2)] }).text).toBe(
      ['remove web#2 (service removed from the project)', 'remove web#1 (service removed from the project)'].join('\n'),
    );
  });

  it('removes leftover containers that hold no replica name', () => {
    const stray = c(1, { id: 'tmp-id', name: 'shop-web-1-rollout' });
    expect(run({ containers: [c(1), stray] }).text).toBe('remove web#0 (leftover container shop-web-1-rollout)');
  });

  it('adopts a running container it has no memory of, without recreating it', () => {
    const r = run({ containers: [c(1)] });
    expect(r.text).toBe('(nothing to do)');
    expect(r.memory[1]?.containerId).toBe('web-1-id');
  });

  it('recreates a created container the engine already refused to start, instead of starting it again', () => {
    const r = run({ containers: [c(1, { state: 'created' })], memory: { 1: { containerId: 'web-1-id', startFailedId: 'web-1-id' } } });
    expect(r.text).toBe('replace web#1 (the engine refused to start it; recreating)');
  });

  it('starts a container that was created but never started', () => {
    expect(run({ containers: [c(1, { state: 'created' })] }).text).toBe('start web#1 (created but never started)');
  });
});

describe('reconcile: crashed replicas under the restart policy', () => {
  it('records the exit and replaces when the backoff is zero', () => {
    const { summary, details } = exited(1, 3);
    const r = run({ service: { restart: { ...serviceFixture('x').restart, delayMs: 0 } }, containers: [summary], details: [details] });
    expect(r.text).toBe(['record-exit web#1 (exited 3; restart 1 after 0 ms)', 'replace web#1 (exited 3; restart 1 after 0 ms)'].join('\n'));
    expect(r.memory[1]).toMatchObject({ lastExit: { exitCode: 3, cause: 'exit' }, history: { consecutive: 1, total: 1 } });
  });

  it('waits out the backoff: records now, requeues, replaces when due', () => {
    const { summary, details } = exited(1, 1);
    const first = run({ containers: [summary], details: [details] });
    expect(first.text).toBe('record-exit web#1 (exited 1; restart 1 after 100 ms)');
    expect(first.requeueAt).toBe(NOW + 100);
    const early = run({ containers: [summary], details: [details], memory: first.memory, now: NOW + 50 });
    expect(early.text).toBe('(nothing to do)');
    const due = run({ containers: [summary], details: [details], memory: first.memory, now: NOW + 100 });
    expect(due.text).toBe('replace web#1 (exited 1; restart 1 after 100 ms)');
  });

  it('leaves an exited replica of a restart "no" service and says why', () => {
    const { summary, details } = exited(1, 0);
    const r = run({ service: { restart: { ...serviceFixture('x').restart, condition: 'none' } }, containers: [summary], details: [details] });
    expect(r.text).toBe('record-exit web#1 (exited 0; restart policy is "no")');
    expect(r.memory[1]?.handled).toMatchObject({ outcome: 'leave' });
    const again = run({ service: { restart: { ...serviceFixture('x').restart, condition: 'none' } }, containers: [summary], details: [details], memory: r.memory });
    expect(again.text).toBe('(nothing to do)');
  });

  it('gives up after max attempts and stays given up', () => {
    const restart = { ...serviceFixture('x').restart, condition: 'on-failure' as const, maxAttempts: 3 };
    const { summary, details } = exited(1, 1);
    const r = run({ service: { restart }, containers: [summary], details: [details], memory: { 1: { history: { consecutive: 3, total: 3 } } } });
    expect(r.text).toBe('record-exit web#1 (exited 1; gave up after 3 restarts (max_attempts 3))');
    expect(r.memory[1]?.handled?.outcome).toBe('give-up');
  });

  it('replaces a replica removed by someone else under "always"', () => {
    const r = run({ memory: { 1: { containerId: 'gone', createdAt: NOW - 60_000 } }, service: { restart: { ...serviceFixture('x').restart, delayMs: 0 } } });
    expect(r.text).toBe('create web#1 (removed; restart 1 after 0 ms)');
  });

  it('leaves a removed replica under on-failure', () => {
    const restart = { ...serviceFixture('x').restart, condition: 'on-failure' as const };
    const r = run({ memory: { 1: { containerId: 'gone' } }, service: { restart } });
    expect(r.text).toBe('(nothing to do)');
    expect(r.memory[1]?.handled?.reason).toBe('removed; restart policy on-failure does not restart on removed');
  });

  it('replaces an unhealthy replica and records the probe output', () => {
    const summary = c(1, { health: 'unhealthy' });
    const details = detailsFixture(summary, { healthLog: [{ exitCode: 1, output: 'no such file /ok', end: NOW }] });
    const r = run({ service: { restart: { ...serviceFixture('x').restart, delayMs: 0 } }, containers: [summary], details: [details] });
    expect(r.text).toBe(['record-exit web#1 (unhealthy; restart 1 after 0 ms)', 'replace web#1 (unhealthy; restart 1 after 0 ms)'].join('\n'));
    expect(r.memory[1]?.lastExit).toMatchObject({ cause: 'unhealthy', healthOutput: 'no such file /ok' });
  });

  it('ignores unhealthy when on_unhealthy is ignore', () => {
    const r = run({ service: { composed: { onUnhealthy: 'ignore', balance: true } }, containers: [c(1, { health: 'unhealthy' })] });
    expect(r.text).toBe('(nothing to do)');
  });

  it('leaves a replica a user stopped under unless-stopped', () => {
    const restart = { ...serviceFixture('x').restart, unlessStopped: true };
    const { summary, details } = exited(1, 0);
    const r = run({ service: { restart }, containers: [summary], details: [details], memory: { 1: { stoppedByUser: true } } });
    expect(r.text).toBe('record-exit web#1 (exited 0; stopped by a user (unless-stopped))');
  });
});

describe('reconcile: config changes roll out replica by replica', () => {
  const surge = (n: number, over: Parameters<typeof containerFixture>[3] = {}) =>
    c(n, { id: `surge-${n}-id`, name: `shop-web-${n}-next`, hash: 'h2', ...over });
  const fresh = { 1: { containerId: 'web-1-id', createdAt: 0 }, 2: { containerId: 'web-2-id', createdAt: 0 } };

  it('start-first: starts the new config beside replica 1 only (parallelism 1)', () => {
    const r = run({ intent: { replicas: 2, configHash: 'h2' }, containers: [c(1), c(2)], memory: fresh });
    expect(r.text).toBe('create-surge web#1 (config changed (roll-out, start-first))');
    expect(r.outdated).toEqual([1, 2]);
  });

  it('start-first: waits while the surge is starting, then promotes it once ready', () => {
    const starting = run({ intent: { replicas: 2, configHash: 'h2' }, containers: [c(1), c(2), surge(1, { health: 'starting' })], memory: fresh });
    expect(starting.text).toBe('(nothing to do)');
    const ready = run({ intent: { replicas: 2, configHash: 'h2' }, containers: [c(1), c(2), surge(1, { health: 'healthy' })], memory: fresh });
    expect(ready.text).toBe('promote web#1 (shop-web-1-next is ready)');
  });

  it('holds the next replica while the promoted one is inside monitor + delay, and requeues for then', () => {
    const service = { updateConfig: { ...serviceFixture('x').updateConfig, monitorMs: 5_000, delayMs: 1_000 } };
    const memory = { 1: { containerId: 'web-1-id', createdAt: NOW - 2_000 }, 2: { containerId: 'web-2-id', createdAt: 0 } };
    const r = run({ service, intent: { replicas: 2, configHash: 'h2' }, containers: [c(1, { hash: 'h2' }), c(2)], memory });
    expect(r.text).toBe('(nothing to do)');
    expect(r.requeueAt).toBe(NOW - 2_000 + 6_000);
    const later = run({ service, intent: { replicas: 2, configHash: 'h2' }, containers: [c(1, { hash: 'h2' }), c(2)], memory, now: NOW + 4_000 });
    expect(later.text).toBe('create-surge web#2 (config changed (roll-out, start-first))');
  });

  it('stop-first when the service publishes a fixed host port', () => {
    const service = { ports: [{ target: 80, published: '8080', protocol: 'tcp' as const, mode: 'ingress' as const }] };
    const r = run({ service, intent: { replicas: 2, configHash: 'h2' }, containers: [c(1), c(2)], memory: fresh });
    expect(r.text).toBe('replace web#1 (config changed (roll-out, stop-first))');
  });

  it('parallelism 2 takes two replicas at once', () => {
    const service = { updateConfig: { ...serviceFixture('x').updateConfig, parallelism: 2 } };
    const r = run({ service, intent: { replicas: 3, configHash: 'h2' }, containers: [c(1), c(2), c(3)] });
    expect(r.text).toBe(['create-surge web#1 (config changed (roll-out, start-first))', 'create-surge web#2 (config changed (roll-out, start-first))'].join('\n'));
  });

  it('a surge created but never started (the daemon killed between the two) is removed, then created again', () => {
    const left = run({ intent: { replicas: 2, configHash: 'h2' }, containers: [c(1), c(2), surge(1, { state: 'created', health: 'none' })], memory: fresh });
    expect(left.text).toBe('remove web#1 (roll-out surge shop-web-1-next was never started)');
    const next = run({ intent: { replicas: 2, configHash: 'h2' }, containers: [c(1), c(2)], memory: fresh });
    expect(next.text).toContain('create-surge web#1 (config changed (roll-out, start-first))');
  });

  it('a surge that exits is a roll-out failure; it is removed and nothing else moves', () => {
    const dead = surge(1, { state: 'exited' });
    const r = run({ intent: { replicas: 2, configHash: 'h2' }, containers: [c(1), c(2), dead], details: [detailsFixture(dead, { exitCode: 4 })], memory: fresh });
    expect(r.rolloutFailure).toBe('shop-web-1-next exited with code 4');
    expect(r.text).toBe('remove web#1 (roll-out surge shop-web-1-next no longer needed)');
  });

  it('with failure_action continue, a failed surge takes over anyway', () => {
    const service = { updateConfig: { ...serviceFixture('x').updateConfig, failureAction: 'continue' as const } };
    const r = run({ service, intent: { replicas: 1, configHash: 'h2' }, containers: [c(1), surge(1, { health: 'unhealthy' })], memory: fresh });
    expect(r.rolloutFailure).toBeUndefined();
    expect(r.text).toBe('promote web#1 (shop-web-1-next is ready)');
  });

  it('a paused roll-out updates nothing and removes its surge', () => {
    const r = run({ intent: { replicas: 2, configHash: 'h2', rolloutPaused: true }, containers: [c(1), c(2), surge(1)], memory: fresh });
    expect(r.text).toBe('remove web#1 (roll-out surge shop-web-1-next no longer needed)');
  });

  it('a ready surge whose replica vanished mid-promote takes the name; the retiring container goes', () => {
    const retiring = c(1, { id: 'old-id', name: 'shop-web-1-retiring-old' });
    const r = run({ intent: { replicas: 1, configHash: 'h2' }, containers: [retiring, surge(1)], memory: fresh });
    expect(r.text).toBe(['remove web#0 (leftover container shop-web-1-retiring-old)', 'adopt-surge web#1 (shop-web-1-next is ready and replica 1 has no container)'].join('\n'));
  });

  it('a surge left from an older roll-out (other hash) is removed', () => {
    const r = run({ intent: { replicas: 1, configHash: 'h3' }, containers: [c(1), surge(1)], memory: fresh });
    expect(r.text).toBe(['remove web#1 (roll-out surge shop-web-1-next no longer needed)', 'create-surge web#1 (config changed (roll-out, start-first))'].join('\n'));
  });
});

describe('reconcile: depends_on gates the first start', () => {
  const dep = (over: Partial<DependencyState>): DependencyState => ({
    present: true, desired: 1, running: 0, ready: 0, hasHealthcheck: true, exitCodes: [], failed: false, ...over,
  });
  const service = { dependsOn: { db: { condition: 'service_healthy' as const, restart: false, required: true } } };

  it('waits for a healthy dependency', () => {
    const r = run({ service, dependencies: { db: dep({ running: 1 }) } });
    expect(r.text).toBe('(nothing to do)');
    expect(r.waiting).toEqual({ message: 'waiting for db to be healthy', blocked: false });
  });

  it('starts once the dependency is healthy', () => {
    expect(run({ service, dependencies: { db: dep({ running: 1, ready: 1 }) } }).text).toBe('create web#1 (first start)');
  });

  it('is blocked by a one-shot dependency that failed, naming it and its code', () => {
    const migrate = { dependsOn: { migrate: { condition: 'service_completed_successfully' as const, restart: false, required: true } } };
    const r = run({ service: migrate, dependencies: { migrate: dep({ exitCodes: [2] }) } });
    expect(r.waiting).toEqual({ message: 'dependency migrate exited with code 2 (condition service_completed_successfully)', blocked: true });
  });
});

describe('reconcile: stop and restart requests', () => {
  it('stops running replicas of a stopped service', () => {
    expect(run({ intent: { stopped: true }, containers: [c(1)] }).text).toBe('stop web#1 (service stopped by a user)');
  });

  it('replaces containers created before a restart request', () => {
    expect(run({ intent: { restartRequestedAt: 2_000 }, containers: [c(1, { createdAt: 1_000 })] }).text).toBe('replace web#1 (restart requested)');
  });

  it('a user\'s -t is the grace of the stops they asked for, and of no other', () => {
    expect(run({ intent: { stopped: true, stopTimeoutSeconds: 1 }, containers: [c(1)] }).text).toBe('stop web#1 (service stopped by a user, within 1 s)');
    expect(run({ intent: { restartRequestedAt: 2_000, stopTimeoutSeconds: 0 }, containers: [c(1, { createdAt: 1_000 })] }).text).toBe('replace web#1 (restart requested, within 0 s)');
    expect(run({ intent: { replicas: 0, stopTimeoutSeconds: 1 }, containers: [c(1)] }).text).toBe('remove web#1 (scale down to 0)');
  });
});

describe('reconcile: old containers the engine cannot remove', () => {
  const moved = (n: number, id: string) => c(n, { id, name: `shop-web-${n}-dead-90000`, state: 'dead' });

  it('waits a moment for a container being removed, then replaces it as it would a dead one', () => {
    const summary = c(1, { state: 'removing' });
    const input = { service: { restart: { ...serviceFixture('x').restart, delayMs: 0 } }, containers: [summary], details: [detailsFixture(summary, { exitCode: 137, startedAt: NOW - 5_000, finishedAt: NOW - 100 })] };
    const first = run({ ...input, memory: { 1: { containerId: 'web-1-id' } } });
    expect(first.text).toBe('(nothing to do)');
    expect(first.requeueAt).toBe(NOW + REMOVING_PATIENCE_MS);
    expect(first.memory[1]?.removingSince).toEqual({ containerId: 'web-1-id', at: NOW });
    const later = run({ ...input, memory: first.memory, now: NOW + REMOVING_PATIENCE_MS });
    expect(later.text).toBe(['record-exit web#1 (exited 137; restart 1 after 0 ms)', 'replace web#1 (exited 137; restart 1 after 0 ms)'].join('\n'));
  });

  it('counts a container moved aside neither as the replica, nor as a duplicate, nor as a leftover', () => {
    const r = run({ containers: [c(1), moved(1, 'old-id')], memory: { 1: { containerId: 'web-1-id' } }, stuck: { 'old-id': { name: 'shop-web-1-dead-90000', tries: 1, error: 'busy', retryAt: NOW + 2_000 } } });
    expect(r.text).toBe('(nothing to do)');
    expect(r.requeueAt).toBe(NOW + 2_000);
    expect(r.stuck).toEqual({ 'old-id': { name: 'shop-web-1-dead-90000', tries: 1, error: 'busy', retryAt: NOW + 2_000 } });
  });

  it('tries the removal again once its backoff is due, beside the replica', () => {
    const r = run({ containers: [c(1), moved(1, 'old-id')], memory: { 1: { containerId: 'web-1-id' } }, stuck: { 'old-id': { name: 'shop-web-1-dead-90000', tries: 2, error: 'busy', retryAt: NOW } } });
    expect(r.text).toBe('remove-stuck web#1 (retry removing shop-web-1-dead-90000 (2 failed so far))');
  });

  it('tries at once a moved-aside container it has no memory of (an earlier daemon moved it), and forgets those that are gone', () => {
    const r = run({ containers: [c(1), moved(1, 'old-id')], memory: { 1: { containerId: 'web-1-id' } }, stuck: { 'gone-id': { name: 'shop-web-1-dead-1', tries: 3, error: 'busy', retryAt: NOW } } });
    expect(r.text).toBe('remove-stuck web#1 (retry removing shop-web-1-dead-90000 (0 failed so far))');
    expect(Object.keys(r.stuck)).toEqual(['old-id']);
  });

  it('keeps retrying for a service that left the project', () => {
    const r = run({ intent: null, containers: [moved(2, 'old-id')] });
    expect(r.text).toBe('remove-stuck web#2 (retry removing shop-web-2-dead-90000 (0 failed so far))');
  });
});
