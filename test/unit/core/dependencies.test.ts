import { describe, expect, it } from 'vitest';
import { dependantsToRestart, dependencyState, servicesToStart } from '../../../src/daemon/core/dependencies.js';
import { collectObserved } from '../../../src/daemon/core/observed.js';
import { freshMemory } from '../../../src/daemon/core/replica-memory.js';
import { containerFixture, serviceFixture } from '../../support/fixtures.js';

describe('dependencyState', () => {
  it('counts running and ready replicas, and the final exit codes of one-shots', () => {
    const observed = collectObserved('p', 'db', [containerFixture('p', 'db', 1), containerFixture('p', 'db', 2, { health: 'starting' })], new Map());
    const memory = { 3: { ...freshMemory(), handled: { containerId: 'x', outcome: 'leave' as const, reason: 'exited 0' }, lastExit: { containerId: 'x', cause: 'exit' as const, exitCode: 0, oomKilled: false, at: 1, logTail: [] } } };
    expect(dependencyState({ service: serviceFixture('db'), replicas: 3 }, observed, memory)).toEqual({
      present: true, desired: 3, running: 2, ready: 1, hasHealthcheck: true, exitCodes: [0], failed: false,
    });
  });

  it('is absent for a service not in the project, and failed once a replica gave up', () => {
    const memory = { 1: { ...freshMemory(), handled: { containerId: 'x', outcome: 'give-up' as const, reason: 'gave up' } } };
    expect(dependencyState(undefined, collectObserved('p', 'db', [], new Map()), memory)).toMatchObject({ present: false, desired: 0, failed: true });
  });
});

describe('dependantsToRestart', () => {
  it('names only the services whose depends_on on the replaced one says restart: true', () => {
    const dep = (restart: boolean) => ({ condition: 'service_started' as const, restart, required: true });
    const services = {
      api: serviceFixture('api', { dependsOn: { db: dep(true) } }),
      web: serviceFixture('web', { dependsOn: { db: dep(false), api: dep(true) } }),
      job: serviceFixture('job', { dependsOn: { db: dep(true) } }),
      db: serviceFixture('db'),
    };
    expect(dependantsToRestart(services, 'db')).toEqual(['api', 'job']);
    expect(dependantsToRestart(services, 'api')).toEqual(['web']);
  });
});

describe('servicesToStart', () => {
  const services = {
    db: serviceFixture('db'),
    cache: serviceFixture('cache'),
    web: { ...serviceFixture('web'), dependsOn: { cache: { condition: 'service_started' as const, restart: false, required: true } } },
    edge: { ...serviceFixture('edge'), dependsOn: { web: { condition: 'service_started' as const, restart: false, required: true } } },
  };
  it('takes the named services and what they depend on, transitively', () => {
    expect([...servicesToStart(services, ['edge'], true)].sort()).toEqual(['cache', 'edge', 'web']);
  });
  it('takes only the named ones with --no-deps', () => {
    expect([...servicesToStart(services, ['edge', 'db'], false)].sort()).toEqual(['db', 'edge']);
  });
});
