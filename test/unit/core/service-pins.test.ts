import { describe, expect, it } from 'vitest';
import type { Project } from '../../../src/compose/model.js';
import { keepPinned, type ServicePin } from '../../../src/daemon/core/service-pins.js';
import { projectFixture, serviceFixture } from '../../support/fixtures.js';

const pin: ServicePin = { revision: 1, hash: 'h-pinned', fileHash: 'h-file', reason: 'rolled back to revision 1 by a user', at: 5 };
const pinnedService = serviceFixture('web', { environment: { GREETING: 'one' } });
const previous = { project: projectFixture('demo', [pinnedService]), configHashes: { web: 'h-pinned' }, pins: { web: pin } };

function load(greeting: string): Project {
  return projectFixture('demo', [serviceFixture('web', { environment: { GREETING: greeting } })]);
}

describe('keepPinned', () => {
  it('keeps the pinned config while the file says what it said when pinned', () => {
    const project = load('two');
    const hashes = { web: 'h-file' };
    expect(keepPinned(previous, project, hashes, { web: 'h-file' })).toEqual({ web: pin });
    expect(hashes.web).toBe('h-pinned');
    expect(project.services.web).toBe(pinnedService);
  });

  it('lifts the pin once the file changes: the file config stays', () => {
    const project = load('three');
    const hashes = { web: 'h-three' };
    expect(keepPinned(previous, project, hashes, { web: 'h-three' })).toEqual({});
    expect(hashes.web).toBe('h-three');
  });

  it('lifts the pin of a service no longer running its pinned hash (the pinned config was rolled back)', () => {
    const hashes = { web: 'h-file' };
    expect(keepPinned({ ...previous, configHashes: { web: 'h-other' } }, load('two'), hashes, { web: 'h-file' })).toEqual({});
  });
});
