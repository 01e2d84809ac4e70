import { describe, expect, it } from 'vitest';
import type { Canary } from '../../../src/compose/model.js';
import { canaryErrors, canaryHold, canaryOf, watchedCanary } from '../../../src/daemon/core/canary.js';
import type { ObservedReplica } from '../../../src/daemon/core/observed.js';
import { containerFixture, serviceFixture } from '../../support/fixtures.js';

const spec: Canary = { weight: 10, durationMs: 5_000, abortOnErrors: true };
const NOW = 100_000;

function replica(number: number, hash: string, over: Parameters<typeof containerFixture>[3] = {}): ObservedReplica {
  return { number, container: containerFixture('p', 'web', number, { hash, ...over }) };
}

describe('canaryHold: one new replica first, watched for its duration', () => {
  it('before the canary exists, the roll-out may start one replica only', () => {
    expect(canaryHold({ spec }, 3, [], 3, NOW)).toEqual({ slots: 2 });
  });

  it('while the canary starts (not watched yet) nothing else moves', () => {
    expect(canaryHold({ spec }, 3, [replica(1, 'new')], 2, NOW)).toEqual({ slots: 3 });
  });

  it('during its watch nothing else moves, and the roll-out is looked at again when it ends', () => {
    expect(canaryHold({ spec, since: NOW - 1_000 }, 1, [replica(1, 'new')], 2, NOW)).toEqual({ slots: 1, until: NOW + 4_000 });
  });

  it('after its watch, or without a canary, the roll-out goes on as configured', () => {
    expect(canaryHold({ spec, since: NOW - 5_000 }, 1, [replica(1, 'new')], 2, NOW)).toEqual({ slots: 0 });
    expect(canaryHold(undefined, 1, [], 2, NOW)).toEqual({ slots: 0 });
    expect(canaryHold({ spec, since: 0 }, 1, [replica(1, 'new'), replica(2, 'new')], 1, NOW)).toEqual({ slots: 0 });
  });
});

describe('watchedCanary', () => {
  const service = [replica(1, 'new', { id: 'c1', name: 'p-web-1-next' }), replica(2, 'old'), replica(3, 'old')];

  it('is the one ready new container beside old ones, named as the replica it becomes', () => {
    expect(watchedCanary({ spec, since: NOW - 1_000 }, 'new', service, NOW)).toEqual({ containerId: 'c1', name: 'p-web-1', weight: 10, until: NOW + 4_000 });
  });

  it('starts its watch now when it was not watched before', () => {
    expect(watchedCanary({ spec }, 'new', service, NOW)?.until).toBe(NOW + 5_000);
  });

  it('is none while the new container is not ready, or once old replicas are gone', () => {
    expect(watchedCanary({ spec }, 'new', [replica(1, 'new', { state: 'created' }), replica(2, 'old')], NOW)).toBeUndefined();
    expect(watchedCanary({ spec }, 'new', [replica(1, 'new'), replica(2, 'new')], NOW)).toBeUndefined();
  });
});

describe('canaryErrors', () => {
  const target = { containerId: 'c1', name: 'p-web-1', weight: 10, until: NOW };

  it('names what the balancer saw the canary refuse or reset', () => {
    expect(canaryErrors(spec, target, { refused: 3, reset: 0 })).toBe('canary p-web-1 refused 3 connections');
    expect(canaryErrors(spec, target, { refused: 1, reset: 1 })).toBe('canary p-web-1 refused 1 and reset 1 connections');
    expect(canaryErrors(spec, target, { refused: 0, reset: 0 })).toBeUndefined();
  });

  it('ignores connection errors without abort_on errors', () => {
    expect(canaryErrors({ ...spec, abortOnErrors: false }, target, { refused: 3, reset: 0 })).toBeUndefined();
  });
});

it('a roll-out is watched with its canary only while it rolls out, never while it rolls back', () => {
  const service = serviceFixture('web', { composed: { onUnhealthy: 'replace', balance: true, canary: spec } });
  expect(canaryOf(service, { state: 'rolling-out', canarySince: 5 })).toEqual({ spec, since: 5 });
  expect(canaryOf(service, { state: 'rolled-back' })).toBeUndefined();
  expect(canaryOf(serviceFixture('web'), { state: 'rolling-out' })).toBeUndefined();
});
