import { describe, expect, it } from 'vitest';
import { isDigestPinned, parseImageReference, pinnedReference } from '../../../src/daemon/core/image-reference.js';
import { CHECK_RETRY_MS, effectiveUpdatePolicy, freshFollowState, judgeCheck, nextCheckAt, withinSchedule } from '../../../src/daemon/core/tag-follow.js';
import { followedTag } from '../../../src/daemon/updates/tag-follower.js';
import { exitStatus } from '../../../src/cli/commands/update.js';
import { serviceFixture } from '../../support/fixtures.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('image references, split as the engine splits them', () => {
  it.each([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['grafana/grafana:11', { registry: 'docker.io', repository: 'grafana/grafana', tag: '11' }],
    ['127.0.0.1:5055/team/app:latest', { registry: '127.0.0.1:5055', repository: 'team/app', tag: 'latest' }],
    ['localhost/app', { registry: 'localhost', repository: 'app', tag: 'latest' }],
    ['ghcr.io/o/app:v1', { registry: 'ghcr.io', repository: 'o/app', tag: 'v1' }],
    [`app@${D1}`, { registry: 'docker.io', repository: 'library/app', digest: D1 }],
  ])('%s', (text, expected) => expect(parseImageReference(text)).toEqual(expected));

  it('pins by digest under the name the engine keeps in RepoDigests', () => {
    expect(pinnedReference(parseImageReference('nginx:1.27'), D1)).toBe(`nginx@${D1}`);
    expect(pinnedReference(parseImageReference('127.0.0.1:5055/app:latest'), D1)).toBe(`127.0.0.1:5055/app@${D1}`);
    expect(isDigestPinned(`app@${D1}`)).toBe(true);
    expect(isDigestPinned('app:latest')).toBe(false);
  });
});

describe('when the next check runs', () => {
  const policy = { policy: 'auto' as const, intervalMs: 3_600_000 };

  it('after a success: the interval; after failures: 5 s doubling, never beyond the interval, at least Retry-After', () => {
    expect(nextCheckAt(policy, 0, 0)).toBe(3_600_000);
    expect([1, 2, 3].map((n) => nextCheckAt(policy, 0, n))).toEqual([CHECK_RETRY_MS, 2 * CHECK_RETRY_MS, 4 * CHECK_RETRY_MS]);
    expect(nextCheckAt(policy, 0, 30)).toBe(3_600_000);
    expect(nextCheckAt(policy, 0, 1, 60_000)).toBe(60_000);
  });

  it('inside the schedule\'s daily UTC window, which may wrap midnight', () => {
    const at = (h: number, m = 0) => Date.UTC(2026, 11, 1, h, m);
    const night = { fromMinute: 22 * 60, toMinute: 4 * 60 };
    expect(withinSchedule(at(23), night)).toBe(at(23));
    expect(withinSchedule(at(3, 59), night)).toBe(at(3, 59));
    expect(withinSchedule(at(12), night)).toBe(at(22));
    const early = { fromMinute: 2 * 60, toMinute: 5 * 60 };
    expect(withinSchedule(at(6), early)).toBe(Date.UTC(2026, 11, 2, 2));
  });
});

describe('what a check means', () => {
  const state = { ...freshFollowState('app:latest'), rejected: [D2] };

  it('same digest: current; a rejected one: left alone; else auto updates and notify tells', () => {
    expect(judgeCheck('auto', state, D1, D1)).toEqual({ kind: 'current' });
    expect(judgeCheck('auto', state, D2, D1)).toEqual({ kind: 'rejected', digest: D2 });
    const d3 = `sha256:${'3'.repeat(64)}`;
    expect(judgeCheck('auto', state, d3, D1)).toEqual({ kind: 'update', digest: d3 });
    expect(judgeCheck('notify', state, d3, D1)).toEqual({ kind: 'notify', digest: d3 });
  });

  it('the service\'s own policy wins over the project\'s; off follows nothing', () => {
    const auto = { policy: 'auto' as const, intervalMs: 1 };
    expect(effectiveUpdatePolicy(undefined, auto)).toBe(auto);
    expect(effectiveUpdatePolicy({ policy: 'off', intervalMs: 1 }, auto)).toBeUndefined();
    expect(effectiveUpdatePolicy(undefined, undefined)).toBeUndefined();
  });

  it('a digest in the file is never followed; the follower\'s own rollback pin still follows its tag', () => {
    expect(followedTag(serviceFixture('web', { image: 'app:latest' }), undefined)).toBe('app:latest');
    expect(followedTag(serviceFixture('web', { image: `app@${D1}` }), undefined)).toBeUndefined();
    const rolledBack = { ...freshFollowState('app:latest'), last: { state: 'rolled-back' as const, from: D1, to: D2, at: 0, message: '' } };
    expect(followedTag(serviceFixture('web', { image: `app@${D1}` }), rolledBack)).toBe('app:latest');
    expect(followedTag(serviceFixture('web', { image: `other@${D1}` }), rolledBack)).toBeUndefined();
    const rollingOut = { ...rolledBack, last: { ...rolledBack.last, state: 'rolling-out' as const } };
    expect(followedTag(serviceFixture('web', { image: `app@${D1}` }), rollingOut)).toBe('app:latest');
    expect(followedTag(serviceFixture('web', { image: `app@${D2}` }), rollingOut)).toBeUndefined();
    expect(followedTag(serviceFixture('web', { image: 'app:latest', build: { context: '/x', dockerfile: 'Dockerfile', args: {}, labels: {} } }), undefined)).toBeUndefined();
  });

  it('`composed update` exits 1 on a failed check, 2 when --check found an update, else 0', () => {
    const r = (outcome: 'current' | 'available' | 'failed') => ({ service: 's', outcome, message: '' });
    expect(exitStatus([r('current')], true)).toBe(0);
    expect(exitStatus([r('current'), r('available')], true)).toBe(2);
    expect(exitStatus([r('available'), r('failed')], true)).toBe(1);
    expect(exitStatus([r('available')], false)).toBe(0);
  });
});
