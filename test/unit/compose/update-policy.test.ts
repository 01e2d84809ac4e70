import { describe, expect, it } from 'vitest';
import { loadText, project } from './helpers.js';

describe('x-composed.update', () => {
  it('a project default and a service of its own; interval defaults to 1h, policy to auto', () => {
    const p = project(`
x-composed:
  update: { policy: notify, interval: 30m }
services:
  web:
    image: app:latest
    x-composed: { update: { interval: 10s, schedule: "22:30-04:00" } }
  db:
    image: postgres:16
`);
    expect(p.update).toEqual({ policy: 'notify', intervalMs: 1_800_000 });
    expect(p.services.web!.composed.update).toEqual({ policy: 'auto', intervalMs: 10_000, schedule: { fromMinute: 1350, toMinute: 240 } });
    expect(p.services.db!.composed.update).toBeUndefined();
    expect(project('services: {web: {image: x, x-composed: {update: {}}}}').services.web!.composed.update).toEqual({ policy: 'auto', intervalMs: 3_600_000 });
  });

  it('names file, line and key of a bad value', () => {
    const out = loadText(`services:
  web:
    image: x
    x-composed:
      update:
        policy: always
        interval: 100ms
        schedule: "at night"
        every: 1h
x-composed:
  update: { interval: soon }
`);
    expect(out.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.path}: ${d.message}`)).toEqual([
      'compose.yaml:6:17 services.web.x-composed.update.policy: "always" is not one of auto, notify, off',
      'compose.yaml:7:19 services.web.x-composed.update.interval: update interval must be at least 1s',
      'compose.yaml:8:19 services.web.x-composed.update.schedule: schedule "at night" is not a daily UTC window like "02:00-05:00"',
      'compose.yaml:9:9 services.web.x-composed.update.every: unknown key "every"',
      'compose.yaml:11:23 x-composed.update.interval: the string "soon" is not a duration (expected e.g. 10s, 1m30s, 500ms, 2h)',
    ]);
  });
});
