// RESULTS.md section and target rows of bench/balancer/vs-haproxy.mjs: composed's balancer, HAProxy
// and no proxy on the same two backend containers. report.mjs places them.
import { formatRatio as x, summarize } from './stats.mjs';

const LIMITS = { throughput: 0.9, p99: 1.25, cpu: 1.5 };

const median = (values) => summarize(values).median;
const num = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const ms = (us) => (Number.isFinite(us) ? (us >= 100_000 ? String(Math.round(us / 1000)) : (us / 1000).toFixed(us >= 10_000 ? 1 : 2)) : '–');

/** Medians over the rounds, per body and client count, per contender; and the ratios to HAProxy. */
export function haproxyFigures(result) {
  const rows = [];
  const keys = [...new Set(result.results.map((r) => `${r.body}|${r.connections}`))];
  for (const k of keys) {
    const [body, connections] = k.split('|');
    const of = (contender) => {
      const runs = result.results.filter((r) => r.body === body && String(r.connections) === connections && r.contender === contender);
      return {
        rps: median(runs.map((r) => r.rps)),
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
        p999: median(runs.map((r) => r.p999)),
        cpuPer10k: median(runs.map((r) => r.cpuPer10k)),
        errors: runs.reduce((n, r) => n + r.errors, 0),
      };
    };
    const composed = of('composed');
    const haproxy = of('haproxy');
    rows.push({
      body,
      connections: Number(connections),
      composed,
      haproxy,
      direct: of('direct'),
      throughput: composed.rps / haproxy.rps,
      p99: composed.p99 / haproxy.p99,
      cpu: composed.cpuPer10k / haproxy.cpuPer10k,
    });
  }
  return rows;
}

const met = (row) => row.throughput >= LIMITS.throughput && row.p99 <= LIMITS.p99 && row.cpu <= LIMITS.cpu;

export function haproxyTargets(e) {
  const rows = haproxyFigures(e.result);
  const worst = (key, pick) => rows.reduce((w, r) => (w === undefined || pick(r[key], w[key]) ? r : w), undefined);
  const low = worst('throughput', (a, b) => a < b);
  const p99 = worst('p99', (a, b) => a > b);
  const cpu = worst('cpu', (a, b) => a > b);
  const at = (r) => `${r.body}, ${r.connections} client${r.connections === 1 ? '' : 's'}`;
  const verdict = (ok, shown) => (ok ? 'met' : `**missed** (${shown})`);
  return [
    ['Balancer vs HAProxy', `throughput, worst of ${rows.length} (${at(low)})`, `${Math.round(low.composed.rps)}/s`, `${Math.round(low.haproxy.rps)}/s`, x(low.throughput), `>= ${LIMITS.throughput}x`, verdict(low.throughput >= LIMITS.throughput, x(low.throughput))],
    ['Balancer vs HAProxy', `p99, worst of ${rows.length} (${at(p99)})`, `${ms(p99.composed.p99)} ms`, `${ms(p99.haproxy.p99)} ms`, x(p99.p99), `<= ${LIMITS.p99}x`, verdict(p99.p99 <= LIMITS.p99, x(p99.p99))],
    ['Balancer vs HAProxy', `CPU per request, worst of ${rows.length} (${at(cpu)})`, `${num(cpu.composed.cpuPer10k)} s/10k`, `${num(cpu.haproxy.cpuPer10k)} s/10k`, x(cpu.cpu), `<= ${LIMITS.cpu}x`, verdict(cpu.cpu <= LIMITS.cpu, x(cpu.cpu))],
    ['Balancer vs HAProxy', 'levels with all three targets met', String(rows.filter(met).length), String(rows.length), '–', 'all', rows.every(met) ? 'met' : '**missed**'],
  ];
}

export function haproxySection(r) {
  const out = [
    `Backends: ${r.backends}. Contenders: composed's \`TcpBalancer\` alone in a node process (\`bench/balancer/composed-balancer.mjs\`, the daemon's code from \`dist/\`, least connections); ${r.haproxy}, \`mode tcp\`, \`balance leastconn\`, Debian's defaults (a thread per CPU); direct = wrk to one backend. Load: \`wrk -t1 -cN -d${r.seconds}s\` (keep-alive), the contenders alternating within each round, the order reversed every other round. CPU: utime + stime of the proxy's pid over each window, per 10k requests. Medians of ${r.rounds} rounds; latencies in ms.`,
    '',
    '| body | clients | composed req/s | HAProxy req/s | direct req/s | throughput | composed p50 / p99 / p99.9 | HAProxy p50 / p99 / p99.9 | p99 | CPU s/10k composed / HAProxy | CPU | errors c/h/d | targets |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of haproxyFigures(r)) {
    const { composed: c, haproxy: h, direct: d } = row;
    out.push(`| ${row.body} | ${row.connections} | ${Math.round(c.rps)} | ${Math.round(h.rps)} | ${Math.round(d.rps)} | ${x(row.throughput)} | ${ms(c.p50)} / ${ms(c.p99)} / ${ms(c.p999)} | ${ms(h.p50)} / ${ms(h.p99)} / ${ms(h.p999)} | ${x(row.p99)} | ${num(c.cpuPer10k)} / ${num(h.cpuPer10k)} | ${x(row.cpu)} | ${c.errors}/${h.errors}/${d.errors} | ${met(row) ? 'met' : 'missed'} |`);
  }
  out.push('', `Targets: throughput >= ${LIMITS.throughput}x HAProxy's, p99 <= ${LIMITS.p99}x, CPU per request <= ${LIMITS.cpu}x, at every level.`);
  if (r.notes) out.push('', ...r.notes.map((n) => `- ${n}`));
  return out;
}
