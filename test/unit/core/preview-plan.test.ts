import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../../src/daemon/core/plan.js';
import { formatPreparePlan } from '../../../src/daemon/core/prepare-plan.js';
import { previewPlan } from '../../../src/daemon/core/preview-plan.js';
import { containerFixture, projectFixture, serviceFixture, volumeFixture } from '../../support/fixtures.js';

const web = (greeting: string, over = {}) => serviceFixture('web', { environment: { GREETING: greeting }, ...over });
const worker = serviceFixture('worker');
const running = { project: projectFixture('demo', [web('one'), worker]), configHashes: { web: 'h1', worker: 'w1' } };
const containers = [containerFixture('demo', 'web', 1), containerFixture('demo', 'web', 2), containerFixture('demo', 'worker', 1, { hash: 'w1' })];

describe('previewPlan', () => {
  it('nothing changes when the hashes and counts are the same', () => {
    const preview = previewPlan({ running, next: running, wanted: { web: 2, worker: 1 }, containers });
    expect(preview.changes).toBe(false);
    expect(preview.services.map((s) => [s.service, s.change, s.operations.length])).toEqual([['web', 'unchanged', 0], ['worker', 'unchanged', 0]]);
  });

  it('a changed environment rolls out replica by replica start-first with the drain; a new service and volume are created', () => {
    const next = {
      project: projectFixture('demo', [web('two'), serviceFixture('cache')], { volumes: { data: volumeFixture('demo_data') } }),
      configHashes: { web: 'h2', cache: 'c1' },
    };
    const preview = previewPlan({ running, next, wanted: { web: 3, cache: 1 }, containers });
    expect(preview.changes).toBe(true);
    expect(formatPreparePlan(preview.prepare)).toBe('ensure-volume demo_data (creating)');
    const byName = Object.fromEntries(preview.services.map((s) => [s.service, s]));
    expect(byName.web?.changedKeys).toEqual(['environment.GREETING']);
    expect(formatPlan(byName.web?.operations ?? [])).toBe(
      [
        'create-surge web#1 (config changed: environment.GREETING (roll-out, start-first))',
        'promote web#1 (once ready; the old container drains 1000 ms, then stops)',
        'create-surge web#2 (config changed: environment.GREETING (roll-out, start-first))',
        'promote web#2 (once ready; the old container drains 1000 ms, then stops)',
        'create web#3 (missing replica)',
      ].join('\n'),
    );
    expect(formatPlan(byName.cache?.operations ?? [])).toBe('create cache#1 (new service)');
    expect(byName.cache?.change).toBe('new');
    expect([byName.worker?.change, formatPlan(byName.worker?.operations ?? [])]).toEqual(['removed', 'remove worker#1 (service left the file)']);
  });

  it('a fixed host port rolls out stop-first; a smaller count removes the highest replicas', () => {
    const fixed = web('two', { ports: [{ target: 80, published: '8080', hostIp: '127.0.0.1', protocol: 'tcp', mode: 'ingress' }] });
    const next = { project: projectFixture('demo', [fixed, worker]), configHashes: { web: 'h2', worker: 'w1' } };
    const preview = previewPlan({ running, next, wanted: { web: 1, worker: 1 }, containers });
    expect(formatPlan(preview.services[0]?.operations ?? [])).toBe('replace web#1 (config changed: environment.GREETING, ports (roll-out, stop-first))\nremove web#2 (scaled to 1)');
  });
});
