import { describe, expect, it } from 'vitest';
import { freshMemory, type ReplicaMemory } from '../../../src/daemon/core/replica-memory.js';
import { newRestarts } from '../../../src/daemon/history/restart-marks.js';
import { ServiceHistoryBuffer } from '../../../src/daemon/history/service-history.js';

const sample = (at: number) => ({ at, desired: 1, ready: 1, cpu: { '1': 10 } });

describe('a service history', () => {
  it('keeps the last window only, samples and marks alike, and counts its changes', () => {
    const history = new ServiceHistoryBuffer(60_000, 1_000);
    history.addSample(sample(0));
    history.addMark({ at: 1_000, kind: 'decision', cause: 'user', message: 'scaled to 2 by a user' });
    history.addSample(sample(30_000));
    expect(history.version).toBe(3);
    history.addSample(sample(61_500));
    const { samples, marks } = history.snapshot();
    expect(samples.map((s) => s.at)).toEqual([30_000, 61_500]);
    expect(marks).toEqual([]);
  });

  it('holds its count cap when samples come faster than planned', () => {
    const history = new ServiceHistoryBuffer(60_000, 3);
    for (let at = 0; at < 10; at++) history.addSample(sample(at));
    expect(history.snapshot().samples.map((s) => s.at)).toEqual([7, 8, 9]);
  });
});

describe('restart marks', () => {
  const replica = (over: Partial<ReplicaMemory>): ReplicaMemory => ({ ...freshMemory(), ...over });

  it('marks each restart after the last look with the cause of the exit before it', () => {
    const marks = newRestarts(
      {
        1: replica({ restartTimes: [100, 200, 300], lastExit: { containerId: 'a', cause: 'exit', exitCode: 137, oomKilled: true, at: 290, logTail: [] } }),
        2: replica({ restartTimes: [250], lastExit: { containerId: 'b', cause: 'unhealthy', oomKilled: false, at: 240, logTail: [] } }),
        3: replica({ restartTimes: [] }),
      },
      150,
    );
    expect(marks.map((m) => [m.at, m.replica, m.cause, m.message])).toEqual([
      [200, 1, 'oom', 'replica 1 restarted: exited 137 (OOM killed)'],
      [250, 2, 'unhealthy', 'replica 2 restarted: unhealthy'],
      [300, 1, 'oom', 'replica 1 restarted: exited 137 (OOM killed)'],
    ]);
  });
});
