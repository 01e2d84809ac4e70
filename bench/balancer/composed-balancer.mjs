// composed's TcpBalancer alone in a process, in front of the given backends, as the daemon runs it.
// Usage: node composed-balancer.mjs LISTEN_PORT HOST:PORT...
import { pino } from 'pino';
import { TcpBalancer } from '../../dist/daemon/balancer/tcp-balancer.js';

const [listenPort, ...backends] = process.argv.slice(2);
const balancer = new TcpBalancer({ listenHost: '127.0.0.1', listenPort: Number(listenPort), logger: pino({ level: 'warn' }) });
await balancer.start();
balancer.setBackends(backends.map((address, i) => {
  const [host, port] = address.split(':');
  return { id: `web#${i + 1}`, host, port: Number(port) };
}));
process.send?.('ready');
