// The engines' container states as the supervisor reads them. Podman 4.3.1's list and inspect
// carry libpod's own states; each row below was seen polling a container's list and inspect
// entries while it was stopped, killed or removed (src/daemon/docker/README.md).
import { describe, expect, it } from 'vitest';
import { toState } from '../../src/daemon/docker/containers.js';

describe('container states from the engine', () => {
  it.each([
    // Docker 20.10 and Podman alike
    ['created', 'created'],
    ['running', 'running'],
    ['paused', 'paused'],
    ['restarting', 'restarting'],
    ['removing', 'removing'],
    ['exited', 'exited'],
    ['dead', 'dead'],
    // Podman: a stop waiting for the process (still alive, ExitCode 0): not an exit yet
    ['stopping', 'running'],
    // Podman: the process died (ExitCode set), the cleanup has not run yet
    ['stopped', 'exited'],
    // Podman: before the first start
    ['configured', 'created'],
    ['initialized', 'created'],
  ])('%s is %s', (engine, ours) => {
    expect(toState(engine)).toBe(ours);
  });

  it('an unknown or missing state is dead, so it is never taken for running', () => {
    expect(toState('unknown')).toBe('dead');
    expect(toState(undefined)).toBe('dead');
  });
});
