import { describe, expect, it } from 'vitest';
import { formatPreparePlan, planPrepare } from '../../../src/daemon/core/prepare-plan.js';
import { project } from '../compose/helpers.js';

describe('planPrepare', () => {
  it('each image, then networks, then named volumes, each sorted by name', () => {
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
        'ensure-image api app:1 (pull_policy always)',
        'ensure-image web busybox (pull_policy missing)',
        'ensure-network back (checking (external))',
        'ensure-network proj_front (creating)',
        'ensure-volume proj_data (creating)',
      ].join('\n'),
    );
  });

  it('up --pull takes the place of every service\'s pull_policy, and only for the services up starts', () => {
    const p = project(`
services:
  web: {image: busybox, pull_policy: never}
  api: {image: "app:1", pull_policy: always}
  db: {image: "db:1"}
`);
    const plan = planPrepare(p, new Set(['api', 'web']), 'missing');
    const images = plan.filter((op) => op.kind === 'ensure-image');
    expect(formatPreparePlan(images)).toBe(['ensure-image api app:1 (--pull missing)', 'ensure-image web busybox (--pull missing)'].join('\n'));
    expect(images.map((op) => op.policy)).toEqual(['missing', 'missing']);
  });
});
