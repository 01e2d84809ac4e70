import { describe, expect, it } from 'vitest';
import { formatPreparePlan, planPrepare } from '../../../src/daemon/core/prepare-plan.js';
import { project } from '../compose/helpers.js';

describe('planPrepare', () => {
  it('networks, then named volumes, then each image, each sorted by name', () => {
    const p = project(`
services:
  web: {image: busybox, networks: [front]}
  api: {image: "app:1", pull_policy: always, networks: [front, back]}
networks:
  front: {}
  back: {external: true}
volumes:
  data: {}
`);
    expect(formatPreparePlan(planPrepare(p))).toBe(
      [
        'ensure-network back (checking (external))',
        'ensure-network proj_front (creating)',
        'ensure-volume proj_data (creating)',
        'ensure-image api app:1 (pull_policy always)',
        'ensure-image web busybox (pull_policy missing)',
      ].join('\n'),
    );
  });
});
