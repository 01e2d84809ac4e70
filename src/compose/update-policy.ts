// `x-composed.update`: whether the daemon follows the service's image tag, at project level (the
// default) and per service. `schedule` is a daily window of UTC times ("02:00-05:00") outside which
// no check runs: what people asked Watchtower's cron for, without a cron dialect to learn.
import type { UpdatePolicy } from './model.js';
import { durationMs, fieldsOf, oneOf, str, type Diagnostics, type Field } from './read.js';

export const DEFAULT_UPDATE_INTERVAL_MS = 3_600_000;
/** Below this a registry sees a flood of HEADs for little gain (Docker Hub counts them). */
const MIN_UPDATE_INTERVAL_MS = 1_000;
const WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

export function readUpdatePolicy(f: Field, d: Diagnostics): UpdatePolicy | undefined {
  const fields = fieldsOf(f, d, ['interval', 'policy', 'schedule']);
  if (!fields) return undefined;
  let ok = true;
  const policy = fields.policy ? oneOf(fields.policy, d, ['auto', 'notify', 'off'] as const) : 'auto';
  if (!policy) ok = false;
  let intervalMs = DEFAULT_UPDATE_INTERVAL_MS;
  if (fields.interval) {
    const ms = durationMs(fields.interval, d);
    if (ms === undefined) ok = false;
    else if (ms < MIN_UPDATE_INTERVAL_MS) {
      d.error(fields.interval.node.pos, fields.interval.path, 'update interval must be at least 1s');
      ok = false;
    } else intervalMs = ms;
  }
  let schedule: UpdatePolicy['schedule'];
  if (fields.schedule) {
    const text = str(fields.schedule, d)?.trim();
    const m = text === undefined ? null : WINDOW.exec(text);
    if (!m) {
      if (text !== undefined) d.error(fields.schedule.node.pos, fields.schedule.path, `schedule ${JSON.stringify(text)} is not a daily UTC window like "02:00-05:00"`);
      ok = false;
    } else {
      schedule = { fromMinute: Number(m[1]) * 60 + Number(m[2]), toMinute: Number(m[3]) * 60 + Number(m[4]) };
    }
  }
  if (!ok || !policy) return undefined;
  return { policy, intervalMs, ...(schedule ? { schedule } : {}) };
}
