import { describe, expect, it } from 'vitest';
import { followRollout, planRollouts, type RolloutRecord } from '../../../src/daemon/core/rollout-outcome.js';
import { serviceFixture } from '../../support/fixtures.js';

const previous = { service: serviceFixture('web', { image: 'old' }), hash: 'h-old' };
const rolling: RolloutRecord = { state: 'rolling-out', message: 'rolling out a changed config', at: 0, previous };
const serviceWith = (failureAction: 'rollback' | 'pause' | 'continue') => serviceFixture('web', { updateConfig: { ...serviceFixture('web').updateConfig, failureAction } });

describe('followRollout', () => {
  it('rolls back to the previous config, rejecting the hash that failed', () => {
    expect(followRollout({ rollout: rolling, service: serviceWith('rollback'), hash: 'h-new', failure: 'web-1-next exited with code 1', complete: false, now: 5 })).toEqual({
      rollout: { state: 'rolled-back', message: 'rolled back to the previous config: web-1-next exited with code 1', at: 5, rejectedHash: 'h-new' },
      rollBackTo: previous,
      requeue: true,
    });
  });

  it('pauses under failure_action pause, and when the roll-back itself fails', () => {
    expect(followRollout({ rollout: rolling, service: serviceWith('pause'), hash: 'h-new', failure: 'x', complete: false, now: 5 })).toMatchObject({ rollout: { state: 'paused', message: 'roll-out paused: x' }, requeue: true });
    const rolledBack: RolloutRecord = { state: 'rolled-back', message: '', at: 1, rejectedHash: 'h-new' };
    expect(followRollout({ rollout: rolledBack, service: serviceWith('rollback'), hash: 'h-old', failure: 'y', complete: false, now: 5 })?.rollout.state).toBe('paused');
  });

  it('completes once nothing outdated is left, and then changes nothing more', () => {
    expect(followRollout({ rollout: rolling, service: serviceWith('rollback'), hash: 'h-new', complete: true, now: 9 })).toEqual({ rollout: { state: 'complete', message: 'roll-out complete', at: 9 }, requeue: false });
    expect(followRollout({ rollout: { state: 'complete', message: '', at: 9 }, service: serviceWith('rollback'), hash: 'h-new', failure: 'z', complete: false, now: 10 })).toBeUndefined();
    expect(followRollout({ rollout: rolling, service: serviceWith('rollback'), hash: 'h-new', complete: false, now: 10 })).toBeUndefined();
    expect(followRollout({ rollout: undefined, service: serviceWith('rollback'), hash: 'h-new', failure: 'z', complete: true, now: 10 })).toBeUndefined();
  });
});

describe('planRollouts', () => {
  const project = (image: string) => ({ name: 'p', services: { web: serviceFixture('web', { image }), db: serviceFixture('db') } }) as unknown as Parameters<typeof planRollouts>[1];
  const before = (rollouts: Record<string, RolloutRecord> = {}) => ({ project: project('v1'), configHashes: { web: 'h1', db: 'd1' }, rollouts });

  it('rolls out only the services whose hash changed, remembering what they replace', () => {
    const planned = planRollouts(before(), project('v2'), { web: 'h2', db: 'd1' }, true, 7);
    expect(planned.started).toEqual(['web']);
    expect(planned.rollouts['web']).toMatchObject({ state: 'rolling-out', at: 7, previous: { hash: 'h1', service: { image: 'v1' } } });
    expect(planned.rollouts['db']).toBeUndefined();
  });

  it('on a reload, keeps the config a failed one was rolled back to; an explicit up tries it again', () => {
    const rolledBack: RolloutRecord = { state: 'rolled-back', message: 'rolled back', at: 3, rejectedHash: 'h2' };
    const reload = planRollouts(before({ web: rolledBack }), project('v2'), { web: 'h2', db: 'd1' }, true, 7);
    expect(reload.started).toEqual([]);
    expect(reload.kept['web']).toMatchObject({ hash: 'h1', service: { image: 'v1' } });
    expect(reload.rollouts['web']).toBe(rolledBack);
    expect(planRollouts(before({ web: rolledBack }), project('v2'), { web: 'h2', db: 'd1' }, false, 7).started).toEqual(['web']);
  });

  it('starts nothing on a first up', () => {
    expect(planRollouts(undefined, project('v1'), { web: 'h1', db: 'd1' }, false, 7)).toEqual({ rollouts: {}, kept: {}, started: [] });
  });
});
