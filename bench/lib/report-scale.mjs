// RESULTS.md sections of the scale work: the scale bench (1,000 replicas), the simulation (cost per
// event at 1k-100k replicas, no engine) and the soak (bench/soak.mjs). report.mjs places them.
import { formatRatio as x, summarize } from './stats.mjs';

const ms = (v) => (v === undefined || v === null || !Number.isFinite(v) ? '–' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`);
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const atMost = (value, limit, shown) => (value === undefined || !Number.isFinite(value) ? 'not measured' : value <= limit ? 'met' : `**missed** (${shown})`);

export function scaleTargets(e) {
  const f = e.result.figures;
  if (e.name === 'scale') {
    const n = f.replicas;
    const up = f.bringUp.composedUpWaitMs / f.bringUp.floorMs;
    const down = f.down.composedMs / f.down.floorMs;
    const recovered = f.storm.composed.allRunningMs / f.storm.engine.allRunningMs;
    return [
      ['Scale', `bring-up of ${n}, \`up --wait\` vs floor (engine API)`, ms(f.bringUp.composedUpWaitMs), ms(f.bringUp.floorMs), x(up), '<= 1.1x', atMost(up, 1.1, x(up))],
      ['Scale', `\`down\` of ${n} vs floor (engine API)`, ms(f.down.composedMs), ms(f.down.floorMs), x(down), '<= 1.1x', atMost(down, 1.1, x(down))],
      ['Scale', `idle daemon CPU, ${n} replicas, % of one core`, `${f.idle.cpuPercentOfOneCore.toFixed(2)} %`, '–', '–', '<= 1 %', atMost(f.idle.cpuPercentOfOneCore, 1, `${f.idle.cpuPercentOfOneCore.toFixed(2)} %`)],
      ['Scale', `idle daemon RSS, ${n} replicas (max)`, `${f.idle.rssMb.max.toFixed(1)} MB`, '–', '–', '<= 200 MB', atMost(f.idle.rssMb.max, 200, `${f.idle.rssMb.max.toFixed(1)} MB`)],
      ['Scale', '`status` p99, idle', ms(f.idle.status.p99), '–', '–', '<= 300 ms', atMost(f.idle.status.p99, 300, ms(f.idle.status.p99))],
      ['Scale', `\`status\` p99, ${f.storm.killed} killed at once`, ms(f.storm.status.p99), '–', '–', '<= 1 s', atMost(f.storm.status.p99, 1000, ms(f.storm.status.p99))],
      ['Scale', `${f.storm.killed} killed -> all running, vs engine \`--restart=always\``, ms(f.storm.composed.allRunningMs), ms(f.storm.engine.allRunningMs), x(recovered), '<= 1.2x', atMost(recovered, 1.2, x(recovered))],
    ];
  }
  if (e.name === 'simulation') {
    const sizes = e.result.sizes;
    const first = sizes[0];
    const last = sizes.at(-1);
    const growth = last.perEvent.listed.median / first.perEvent.listed.median;
    return [['Simulation', `containers listed per death, ${last.replicas} vs ${first.replicas} replicas`, String(last.perEvent.listed.median), String(first.perEvent.listed.median), x(growth), 'flat (1.0x)', growth <= 1 ? 'met' : `**missed** (${x(growth)})`]];
  }
  if (e.name === 'soak') {
    const s = soakFigures(e.result);
    if (!s) return [['Soak', 'heap and RSS flat, loop p99 < 50 ms', '–', '–', '–', '–', 'not enough samples']];
    const minutes = (s.lastAtS / 60).toFixed(0);
    return [
      ['Soak', `RSS after 10 min to minute ${minutes}: spread of 5-minute floors (of raw samples)`, `${s.rssSpreadPercent.toFixed(1)} % (${s.rssRawSpreadPercent.toFixed(1)} %)`, '–', '–', '<= 10 %', atMost(s.rssSpreadPercent, 10, `${s.rssSpreadPercent.toFixed(1)} %`)],
      ['Soak', `heap used after 10 min to minute ${minutes}: spread of 5-minute floors (of raw samples)`, `${s.heapSpreadPercent.toFixed(1)} % (${s.heapRawSpreadPercent.toFixed(1)} %)`, '–', '–', '<= 10 %', atMost(s.heapSpreadPercent, 10, `${s.heapSpreadPercent.toFixed(1)} %`)],
      ['Soak', `RSS after 10 min to minute ${minutes}: fitted drift (least squares)`, `${s.rssDrift.percent.toFixed(1)} % (${s.rssDrift.mbPerHour.toFixed(1)} MB/h)`, '–', '–', '<= 10 %', atMost(Math.abs(s.rssDrift.percent), 10, `${s.rssDrift.percent.toFixed(1)} %`)],
      ['Soak', `heap used after 10 min to minute ${minutes}: fitted drift (least squares)`, `${s.heapDrift.percent.toFixed(1)} % (${s.heapDrift.mbPerHour.toFixed(1)} MB/h)`, '–', '–', '<= 10 %', atMost(Math.abs(s.heapDrift.percent), 10, `${s.heapDrift.percent.toFixed(1)} %`)],
      ['Soak', 'event-loop delay p99 (worst 30 s)', ms(s.loopP99Max), '–', '–', '< 50 ms', atMost(s.loopP99Max, 49.999, ms(s.loopP99Max))],
    ];
  }
  return [];
}

/**
 * After the first 10 minutes: how far the floor of each figure moves, as the spread ((max - min) /
 * min) of its 5-minute minima, and the spread of the raw samples beside it. A heap sample lands
 * anywhere on the collector's sawtooth (22-35 MB within two minutes in the 62-minute soak, the
 * old generation growing until a full collection), so a leak shows as a rising floor: the
 * lowest sample of a window is the live heap nearest a full collection. And the worst loop delay.
 */
function soakFigures(r) {
  const later = r.samples.filter((s) => s.atS >= 600);
  if (later.length < 2) return undefined;
  const windows = new Map();
  for (const s of later) windows.set(Math.floor(s.atS / 300), [...(windows.get(Math.floor(s.atS / 300)) ?? []), s]);
  const spread = (v) => ((Math.max(...v) - Math.min(...v)) / Math.min(...v)) * 100;
  const levelSpread = (k) => spread([...windows.values()].map((w) => Math.min(...w.map((s) => s[k]))));
  const rawSpread = (k) => spread(later.map((s) => s[k]));
  // Least squares over every sample after minute 10: the fitted change from first to last, in %.
  const drift = (k) => {
    const xs = later.map((s) => s.atS);
    const ys = later.map((s) => s[k]);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    return { percent: (slope * (xs.at(-1) - xs[0]) * 100) / my, mbPerHour: (slope * 3600) / 2 ** 20 };
  };
  return {
    rssDrift: drift('rssBytes'),
    heapDrift: drift('heapUsedBytes'),
    rssSpreadPercent: levelSpread('rssBytes'),
    heapSpreadPercent: levelSpread('heapUsedBytes'),
    rssRawSpreadPercent: rawSpread('rssBytes'),
    heapRawSpreadPercent: rawSpread('heapUsedBytes'),
    loopP99Max: Math.max(...later.map((s) => s.loopDelayP99Ms)),
    lastAtS: r.samples.at(-1).atS,
  };
}

export const SCALE_SECTIONS = {
  scale(r) {
    const f = r.figures;
    const out = [
      `${f.replicas} replicas (${r.config.services} services x ${r.config.perService}, busybox shells), brought up in turn by composed, by the floor (the engine API, create + start, ${r.config.floorLanes} calls in flight) and by docker-compose, never two sets at once. Idle ${r.config.idleMs / 1000} s after ${r.config.settleMs / 1000} s settling; then ${f.storm.killed} replicas (every tenth) SIGKILLed from the host at once, composed's and, on the floor's set, the engine's own \`--restart=always\`.`,
      '',
      '| figure | composed | floor (engine API) | docker-compose |',
      '|---|---|---|---|',
      `| bring-up | ${ms(f.bringUp.composedUpWaitMs)} (\`up --wait\`) | ${ms(f.bringUp.floorMs)} | ${ms(f.bringUp.dockerComposeUpDMs)} (\`up -d\`) |`,
      `| down | ${ms(f.down.composedMs)} | ${ms(f.down.floorMs)} | ${ms(f.down.dockerComposeMs)} |`,
      `| ${f.storm.killed} killed -> all running | ${ms(f.storm.composed.allRunningMs)} (half ${ms(f.storm.composed.halfRunningMs)}) | ${ms(f.storm.engine.allRunningMs)} (half ${ms(f.storm.engine.halfRunningMs)}, \`--restart=always\`) | – |`,
      '',
      `Idle: daemon CPU ${f.idle.cpuPercentOfOneCore.toFixed(2)} % of one core over ${Math.round(f.idle.seconds)} s (per 10 s: median ${f.idle.cpuPerInterval.median?.toFixed(2)} %, max ${f.idle.cpuPerInterval.max?.toFixed(2)} %), dockerd ${f.idle.dockerdCpuPercentOfOneCore?.toFixed(1) ?? '–'} %; RSS ${f.idle.rssMb.max.toFixed(1)} MB max.`,
      `Engine calls per minute while idle: ${Object.entries(f.idle.engineCallsPerMinute).map(([m, n]) => `${m} ${n.toFixed(1)}`).join(', ') || 'none'}.`,
      '',
      '| latency | p50 | p99 | max | runs |',
      '|---|---|---|---|---|',
      `| \`status\`, idle | ${ms(f.idle.status.median)} | ${ms(f.idle.status.p99)} | ${ms(f.idle.status.max)} | ${f.idle.status.runs} |`,
      `| \`ps\` (its API route), idle | ${ms(f.idle.ps.median)} | ${ms(f.idle.ps.p99)} | ${ms(f.idle.ps.max)} | ${f.idle.ps.runs} |`,
      `| \`status\`, storm | ${ms(f.storm.status.median)} | ${ms(f.storm.status.p99)} | ${ms(f.storm.status.max)} | ${f.storm.status.runs} |`,
      `| \`ps\`, storm | ${ms(f.storm.ps.median)} | ${ms(f.storm.ps.p99)} | ${ms(f.storm.ps.max)} | ${f.storm.ps.runs} |`,
      '',
      `Engine calls composed made during its storm: ${Object.entries(r.profile.stormCalls).map(([m, c]) => `${m} ${c.count} (${ms(c.totalMs / c.count)} each)`).join(', ')}.`,
    ];
    if (r.notes) out.push('', ...r.notes.map((n) => `- ${n}`));
    return out;
  },
  simulation(r) {
    const out = [
      `The controller, work queue, observer, lifecycle and state store over the tests' engine in memory and fake clock (bench/simulation/simulate.ts), one project of services of ${r.config.perService}; ${r.config.deaths} replicas die one at a time, then a tenth at once, then a full resync. Per death, until its replacement runs (medians): engine calls, containers the listings returned (each parsed by the daemon in a real engine's adapter), state-file writes, heap growth, CPU (of which the engine in memory's share is shown).`,
      '',
      '| replicas | engine calls | containers listed | state writes (file size) | heap | CPU (engine in memory) | resync: CPU, listed | resync: longest event-loop block | a death during a resync: replaced after |',
      '|---|---|---|---|---|---|---|---|---|',
    ];
    for (const s of r.sizes) {
      const p = s.perEvent;
      out.push(`| ${s.replicas} | ${p.engineCalls.median} | ${p.listed.median} | ${p.stateWrites.median} (${mb(s.stateFileBytes)}) | ${(p.heapKiB.median / 1024).toFixed(2)} MB | ${ms(p.cpuMs.median)} (${ms(p.engineMs.median)}) | ${ms(s.resync.cpuMs)}, ${s.resync.listed} | ${ms(s.resync.longestBlockMs)} | ${ms(s.eventDuringResync.wallMs)} (resync ${ms(s.eventDuringResync.resyncWallMs)}) |`);
    }
    out.push('', 'A tenth of the replicas (at most 1,000) killed at once, until every one runs again without a resync:', '', '| replicas | killed | not replaced | state writes | engine calls | CPU |', '|---|---|---|---|---|---|');
    for (const s of r.sizes.filter((x) => x.storm)) out.push(`| ${s.replicas} | ${s.storm.killed} | ${s.storm.notReplaced} | ${s.storm.stateWrites} | ${Object.values(s.storm.calls).reduce((a, b) => a + b, 0)} | ${ms(s.storm.cpuMs)} |`);
    if (r.before) {
      out.push('', `Before (${r.before.commit}: every sync listed the whole project; a resync queued all services at once; every save wrote):`, '', '| replicas | containers listed | state writes | heap | CPU | resync: longest block |', '|---|---|---|---|---|---|');
      for (const s of r.before.sizes) out.push(`| ${s.replicas} | ${s.listed} | ${s.stateWrites} | ${(s.heapKiB / 1024).toFixed(2)} MB | ${ms(s.cpuMs)} | ${ms(s.resyncLongestBlockMs)} |`);
    }
    if (r.notes) out.push('', ...r.notes.map((n) => `- ${n}`));
    return out;
  },
  soak(r) {
    const s = r.samples;
    const out = [
      `${r.config.crashing} replicas exiting 1-3 s after they start (restart backoff capped at 2 s) beside ${r.config.steady} steady ones; every ${r.config.sampleEveryMs / 1000} s: the daemon's RSS, heap, event-loop delay p99 since the previous sample (its /metrics) and ${r.config.statusCallsPerSample} \`status\` calls. ${s.length} of ${r.plannedSamples} samples${s.length < r.plannedSamples ? ' (the soak was still running or stopped early)' : ''}.`,
      '',
      '| minute | restarts | RSS | heap used | loop p99 | loop max | `status` median | `status` max |',
      '|---|---|---|---|---|---|---|---|',
    ];
    const everyFive = s.filter((x, i) => i === 0 || i === s.length - 1 || Math.floor(x.atS / 300) !== Math.floor(s[i - 1].atS / 300));
    for (const x of everyFive) out.push(`| ${(x.atS / 60).toFixed(1)} | ${x.restarts} | ${mb(x.rssBytes)} | ${mb(x.heapUsedBytes)} | ${ms(x.loopDelayP99Ms)} | ${ms(x.loopDelayMaxMs)} | ${ms(x.statusMs.median)} | ${ms(x.statusMs.max)} |`);
    const status = summarize(s.map((x) => x.statusMs.max));
    out.push('', `\`status\` over the whole soak: worst call per sample median ${ms(status.median)}, max ${ms(status.max)}; ${s.reduce((n, x) => n + x.statusFailures, 0)} failed.`);
    if (r.notes) out.push('', ...r.notes.map((n) => `- ${n}`));
    return out;
  },
};
