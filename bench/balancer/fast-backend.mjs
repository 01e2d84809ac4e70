// A backend that answers HTTP without forking (busybox httpd forks per request and caps any proxy
// at its own ~1.8k req/s here): node's http server, keep-alive, "/" a short page, "/big" 1 MiB.
// Usage: node fast-backend.mjs PORT
import { createServer } from 'node:http';

const SHORT = Buffer.from('<html><body><p>composed balancer bench</p></body></html>\n');
const BIG = Buffer.alloc(1024 * 1024, 'x');
const port = Number(process.argv[2]);
createServer((req, res) => {
  const body = req.url === '/big' ? BIG : SHORT;
  res.writeHead(200, { 'content-type': 'text/html', 'content-length': body.length });
  res.end(body);
}).listen(port, '127.0.0.1', () => process.send?.('ready'));
