import { describe, expect, it } from 'vitest';
import { followRollout, type RolloutRecord } from '../../../src/daemon/core/rollout-outcome.js';
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
