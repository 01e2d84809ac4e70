// An idle node process for the overhead bench's comparison: `none` does nothing, `prom` runs
// prom-client's collectDefaultMetrics() as the daemon does for /metrics, `prom100` the same with
// eventLoopMonitoringPrecision: 100. It exits by itself after the given seconds.
const [mode = 'none', seconds = '30'] = process.argv.slice(2);
if (mode !== 'none') {
  const prom = await import('prom-client');
  prom.collectDefaultMetrics({ register: new prom.Registry(), ...(mode === 'prom100' ? { eventLoopMonitoringPrecision: 100 } : {}) });
}
setTimeout(() => process.exit(0), Number(seconds) * 1000);
