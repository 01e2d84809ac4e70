// A backend that answers HTTP without forking (busybox httpd forks per request and caps any proxy
// at its own ~1.8k req/s here): node's http server, keep-alive, "/" a short page, "/big" 1 MiB.
// Usage: node fast-backend.mjs PORT [HOST]   (HOST 127.0.0.1 unless given; 0.0.0.0 in its container)
import { createServer } from 'node:http';

const SHORT = Buffer.from('<html><body><p>composed balancer bench</p></body></html>\n');
const BIG = Buffer.alloc(1024 * 1024, 'x');
const port = Number(process.argv[2]);
const host = process.argv[3] ?? '127.0.0.1';
createServer((req, res) => {
  const body = req.url === '/big' ? BIG : SHORT;
  res.writeHead(200, { 'content-type': 'text/html', 'content-length': body.length });
  res.end(body);
}).listen(port, host, () => process.send?.('ready'));
// pid 1 in a container: exit on the engine's stop signal rather than wait for its SIGKILL.
process.on('SIGTERM', () => process.exit(0));
