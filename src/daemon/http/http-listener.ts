// `--http HOST:PORT`: the control API and the dashboard over TCP, every request behind the gate
// (http-gate.ts). Built after the unix socket listens, closed before the controller stops.
import type { Server } from 'node:http';
import type { ApiContext } from '../api/context.js';
import { createApiServer } from '../api/server.js';
import { Dashboard } from '../dashboard/dashboard-routes.js';
import type { HistorySampler } from '../history/history-sampler.js';
import type { HttpGate } from './http-gate.js';
import type { ListenAddress } from './listen-address.js';

export async function listenOnTcp(ctx: ApiContext, gate: HttpGate, history: HistorySampler, address: ListenAddress): Promise<Server> {
  const dashboard = new Dashboard(ctx, history);
  const server = createApiServer(ctx, {
    admit: (req, res) => gate.admit(req, res),
    admitUpgrade: (req, socket) => gate.admitUpgrade(req, socket),
    serve: (req, res) => dashboard.serve(req, res),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`--http ${address.host}:${address.port}: cannot listen: ${error.message}`)));
    server.listen(address.port, address.host, () => resolve());
  });
  return server;
}
