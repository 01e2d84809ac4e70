import { describe, expect, it } from 'vitest';
import { applyResults } from '../../../src/daemon/core/apply-results.js';
import type { OperationResult } from '../../../src/daemon/core/plan.js';
import { freshMemory, type ReplicaMemory } from '../../../src/daemon/core/replica-memory.js';

const exit = { containerId: 'old', cause: 'exit' as const, exitCode: 137, oomKilled: true, at: 1, logTail: [] };
const decided: ReplicaMemory = { ...freshMemory(), containerId: 'old', lastExit: exit, handled: { containerId: 'old', outcome: 'replace', reason: 'exited 137', retryAt: 5 } };

describe('applyResults', () => {
  it('records a restart once it happened: the new container, its time, the reason counted', () => {
    const results: OperationResult[] = [
      { op: { kind: 'record-exit', service: 'web', number: 1, containerId: 'old', cause: 'x' }, ok: true, logTail: ['bye'] },
      { op: { kind: 'replace', service: 'web', number: 1, containerId: 'old', cause: 'x' }, ok: true, containerId: 'new', createdAt: 10 },
    ];
    const out = applyResults({ 1: decided }, {}, results, 10);
    expect(out.memory[1]).toMatchObject({ containerId: 'new', createdAt: 10, handled: undefined, restartTimes: [10], lastExit: { logTail: ['bye'] } });
    expect(out.restarts).toEqual(['oom']);
    expect(out.events).toEqual([]);
  });

  it('a failed create adds no restart; a refused start is remembered; both are events', () => {
    const results: OperationResult[] = [
      { op: { kind: 'create', service: 'web', number: 1, cause: 'x', replacement: true }, ok: false, error: new Error('no space') },
      { op: { kind: 'start', service: 'web', number: 2, containerId: 'c2', cause: 'x' }, ok: false, error: new Error('task already exists') },
    ];
    const out = applyResults({ 1: decided }, {}, results, 10);
    expect(out.memory[1]?.restartTimes).toEqual([]);
    expect(out.memory[2]?.startFailedId).toBe('c2');
    expect(out.restarts).toEqual([]);
    expect(out.events.map((e) => `${e.replica} ${e.message}`)).toEqual(['1 create failed: no space', '2 start failed: task already exists']);
  });

  it('remembers a container moved aside and forgets it once removed', () => {
    const aside: OperationResult = { op: { kind: 'replace', service: 'web', number: 1, containerId: 'old', cause: 'x' }, ok: true, containerId: 'new', steppedAside: { containerId: 'old', name: 'p-web-1-dead-9', error: 'busy' } };
    const moved = applyResults({ 1: decided }, {}, [aside], 10);
    expect(moved.stuck).toEqual({ old: { name: 'p-web-1-dead-9', tries: 1, error: 'busy', retryAt: 1_010 } });
    const removed = applyResults(moved.memory, moved.stuck, [{ op: { kind: 'remove-stuck', service: 'web', number: 1, containerId: 'old', cause: 'x' }, ok: true }], 2_000);
    expect(removed.stuck).toEqual({});
    expect(removed.events.map((e) => e.message)).toEqual(['removed p-web-1-dead-9, which the engine could not remove before']);
  });
});
