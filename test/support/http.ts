// A plain GET to 127.0.0.1 for the tests' clients: resolves with the body of a 200, rejects with
// the connection error (ECONNREFUSED, reset, timeout) or the status otherwise.
import { request } from 'node:http';

export function httpGet(port: number, { timeoutMs = 5_000 } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    // agent: false: a new connection per request, as a balancer sees independent clients.
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(body.trim()) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
