import { describe, expect, it } from 'vitest';
import { freshMemory } from '../../../src/daemon/core/replica-memory.js';
import { announcements } from '../../../src/daemon/supervisor/announce.js';

describe('announcements', () => {
  it('names each operation by what it does, the exit by what was decided about it', () => {
    const memory = { 1: { ...freshMemory(), handled: { containerId: 'a', outcome: 'give-up' as const, reason: 'gave up' } }, 2: { ...freshMemory(), handled: { containerId: 'b', outcome: 'replace' as const, reason: 'r' } } };
    const plan = [
      { kind: 'record-exit' as const, service: 'web', number: 1, containerId: 'a', cause: 'exited 1; gave up' },
      { kind: 'record-exit' as const, service: 'web', number: 2, containerId: 'b', cause: 'exited 1; restart 1 after 100 ms' },
      { kind: 'create-surge' as const, service: 'web', number: 3, cause: 'config changed' },
      { kind: 'remove-stuck' as const, service: 'web', number: 4, containerId: 'd', cause: 'retry' },
      { kind: 'create' as const, service: 'web', number: 5, cause: 'first start', replacement: false },
    ];
    expect(announcements(plan, memory).map((a) => `${a.replica} ${a.type}: ${a.message}`)).toEqual([
      '1 gave-up: exited 1; gave up',
      '2 backoff: exited 1; restart 1 after 100 ms',
      '3 rollout: starting the new config beside the old: config changed',
      '5 replica-created: first start',
    ]);
  });
});
