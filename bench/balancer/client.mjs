// The HTTP client of the balancer bench (bench/benches/balancer.mjs), in a process of its own so
// its CPU work is the same for both contenders and the bench's process stays out of the way. The
// bench forks it once and sends it jobs over IPC:
//
//   {port, concurrency, seconds}  ->  {requests, elapsedMs, latencies, errors, firstError, cpuUs}
//
// Each of `concurrency` lanes opens a connection to 127.0.0.1:<port>, sends one GET and reads until
// the server closes (busybox httpd answers one request per connection, as HTTP/1.0 servers do), then
// opens the next. A latency is connect + request + the whole answer up to the close: what a client
// pays per request against such a server. Only 127.0.0.1 is ever dialled.
import { connect } from 'node:net';

const REQUEST = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';

process.on('message', async (job) => {
  const cpuBefore = process.cpuUsage();
  const result = await measure(job);
  const cpu = process.cpuUsage(cpuBefore);
  process.send({ ...result, cpuUs: cpu.user + cpu.system });
});
// The bench going away (even by SIGKILL) closes the channel: leave with it.
process.on('disconnect', () => process.exit(0));

async function measure({ port, concurrency, seconds }) {
  const latencies = [];
  const state = { errors: 0, firstError: undefined };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, () => lane(port, deadline, latencies, state)));
  return { requests: latencies.length, elapsedMs: performance.now() - started, latencies, ...state };
}

async function lane(port, deadline, latencies, state) {
  while (performance.now() < deadline) {
    const t0 = performance.now();
    try {
      await exchange(port);
      latencies.push(performance.now() - t0);
    } catch (error) {
      state.errors += 1;
      state.firstError ??= String(error?.message ?? error);
    }
  }
}

/** One connection, one request, the answer read to the server's close; rejects unless it is a 200. */
function exchange(port) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const chunks = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.once('connect', () => socket.write(REQUEST));
    socket.once('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.once('end', () => {
      socket.destroy();
      const head = Buffer.concat(chunks).subarray(0, 16).toString('latin1');
      if (/^HTTP\/1\.[01] 200/.test(head)) resolve();
      else reject(new Error(`not a 200: ${JSON.stringify(head)}`));
    });
  });
}
