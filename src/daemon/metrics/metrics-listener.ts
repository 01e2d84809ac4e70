// `--metrics-addr host:port`: a TCP listener that serves only GET /metrics, for a Prometheus that
// cannot reach the unix socket. Loopback unless asked otherwise, and a warning when it is not.
import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { DaemonMetrics } from './daemon-metrics.js';

export function parseMetricsAddr(addr: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(addr);
  const host = match?.[1] ?? match?.[2] ?? '';
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535 || (host !== '' && host !== 'localhost' && isIP(host) === 0)) {
    throw new Error(`--metrics-addr: ${JSON.stringify(addr)} is not HOST:PORT (e.g. 127.0.0.1:9464)`);
  }
  return { host: host === '' ? '127.0.0.1' : host, port };
}

export async function listenForMetrics(addr: string, metrics: DaemonMetrics, logger: Logger): Promise<Server> {
  const { host, port } = parseMetricsAddr(addr);
  if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
    logger.warn({ host, port }, 'metrics listener is reachable beyond this host; it serves /metrics only');
  }
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    metrics
      .render()
      .then(({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body))
      .catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
