// The upgraded routes: `exec` in a replica and `run` of a one-off container, each a session of
// frames (session-protocol.ts) on the connection the request came in on. Errors before the
// upgrade are ordinary JSON answers with a 4xx; after it, an error frame.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { LABEL_NUMBER } from '../core/labels.js';
import { replicaContainers } from '../status/log-follower.js';
import type { InteractiveSession } from '../ports/interactive.js';
import type { ErrorResponse } from '../../protocol/api.js';
import { HttpError, toHttpError } from './http.js';
import { admit, authorizeSession } from './authorize.js';
import type { ApiContext } from './context.js';
import { encodeFrame, FrameReader, FrameType, SESSION_UPGRADE } from '../../protocol/session.js';
import { execRequest, oneOffService, runRequest } from './session-requests.js';
import { projectNameParam, serviceNameParam } from './validate.js';

const ROUTE = /^\/v1\/projects\/([^/]+)\/services\/([^/]+)\/(exec|run)$/;

export async function handleUpgrade(ctx: ApiContext, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  let upgraded = false;
  try {
    const url = new URL(req.url ?? '/', 'http://composed');
    const match = ROUTE.exec(url.pathname);
    if (!match) throw new HttpError(404, `no such path: ${url.pathname.slice(0, 200)}`);
    if (req.method !== 'POST') throw new HttpError(405, `${req.method ?? '?'} is not allowed on ${url.pathname.slice(0, 200)}`);
    if (req.headers.upgrade !== SESSION_UPGRADE) throw new HttpError(400, `expected Upgrade: ${SESSION_UPGRADE}`, 'upgrade');
    let body: unknown;
    try {
      body = JSON.parse(url.searchParams.get('request') ?? '{}');
    } catch (error) {
      throw new HttpError(400, `not valid JSON: ${(error as Error).message}`, 'request');
    }
    authorizeSession(admit(ctx, req), match[3] ?? '', body);
    const project = projectNameParam(match[1] ?? '');
    const service = serviceNameParam(match[2] ?? '');
    const start = match[3] === 'exec' ? () => startExec(ctx, project, service, body) : () => startRun(ctx, project, service, body);
    const started = await start();
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${SESSION_UPGRADE}\r\n\r\n`);
    upgraded = true;
    if (started.container) socket.write(encodeFrame(FrameType.started, JSON.stringify({ container: started.container })));
    if (!started.session) {
      socket.end(encodeFrame(FrameType.exit, JSON.stringify({ exitCode: 0 })));
      return;
    }
    await pipeSession(started.session, socket, head);
  } catch (error) {
    const httpError = toHttpError(error);
    if (httpError.status >= 500) ctx.logger.error({ err: error, url: req.url }, 'session failed');
    const body: ErrorResponse = { error: httpError.message, ...(httpError.field ? { field: httpError.field } : {}) };
    if (upgraded) {
      socket.end(encodeFrame(FrameType.error, JSON.stringify(body)));
      return;
    }
    const text = JSON.stringify(body);
    socket.end(`HTTP/1.1 ${httpError.status} Error\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  }
}

interface Started {
  session?: InteractiveSession;
  /** The one-off container's name (run). */
  container?: string;
}

async function startExec(ctx: ApiContext, project: string, service: string, body: unknown): Promise<Started> {
  const request = execRequest(body);
  const record = ctx.lifecycle.require(project);
  if (!record.project.services[service]) throw new HttpError(404, `project ${project} has no service ${JSON.stringify(service)}`, 'service');
  const replicas = replicaContainers(project, await ctx.controller.listProject(project), service);
  const target = replicas.find((c) => Number(c.labels[LABEL_NUMBER]) === request.index);
  if (!target || target.state !== 'running') {
    const state = target ? `is ${target.state}` : 'does not exist';
    throw new HttpError(409, `service ${service}: replica #${request.index} ${state} (running: ${replicas.filter((c) => c.state === 'running').map((c) => `#${c.labels[LABEL_NUMBER]}`).join(', ') || 'none'})`, 'index');
  }
  const runtime = ctx.runtime;
  const opts = {
    cmd: request.cmd,
    tty: request.tty,
    interactive: request.interactive,
    env: request.env,
    privileged: request.privileged,
    ...(request.user !== undefined ? { user: request.user } : {}),
    ...(request.workdir !== undefined ? { workdir: request.workdir } : {}),
    ...(request.size ? { size: request.size } : {}),
  };
  if (request.detach) {
    await runtime.execDetached(target.id, opts);
    return {};
  }
  return { session: await runtime.execSession(target.id, opts) };
}

async function startRun(ctx: ApiContext, project: string, service: string, body: unknown): Promise<Started> {
  const request = runRequest(body);
  const record = ctx.lifecycle.require(project);
  const base = record.project.services[service];
  if (!base) throw new HttpError(404, `project ${project} has no service ${JSON.stringify(service)}`, 'service');
  const name = request.name ?? `${project}-${service}-run-${randomBytes(6).toString('hex')}`;
  const runtime = ctx.runtime;
  const id = await runtime.createOneOff({ project: record.project, service: oneOffService(record.project, base, request), name, interactive: request.interactive });
  if (request.detach) {
    await runtime.startContainer(id);
    return { container: name };
  }
  return { container: name, session: await runtime.startAttached(id, { interactive: request.interactive, tty: request.tty, removeAfter: request.rm, ...(request.size ? { size: request.size } : {}) }) };
}

/** Client frames in, process output out as frames, then the exit code as the last frame. */
async function pipeSession(session: InteractiveSession, socket: Duplex, head: Buffer): Promise<void> {
  const reader = new FrameReader();
  let done = false;
  const onData = (chunk: Buffer): void => {
    for (const frame of reader.push(chunk)) {
      if (frame.type === FrameType.stdin) session.write(frame.payload);
      else if (frame.type === FrameType.stdinEnd) session.endInput();
      else if (frame.type === FrameType.resize) void session.resize(JSON.parse(frame.payload.toString()) as { rows: number; cols: number }).catch(() => undefined);
      else if (frame.type === FrameType.signal) void session.signal?.((JSON.parse(frame.payload.toString()) as { signal: string }).signal).catch(() => undefined);
    }
  };
  socket.on('data', onData);
  // The client went away (Ctrl-C, a lost connection): let go of the engine's stream.
  socket.on('close', () => done || session.close());
  socket.on('error', () => undefined);
  if (head.length) onData(head);
  for await (const { stream, data } of session.output) socket.write(encodeFrame(stream === 'stderr' ? FrameType.stderr : FrameType.stdout, data));
  const exitCode = await session.exitCode();
  done = true;
  socket.end(encodeFrame(FrameType.exit, JSON.stringify({ exitCode })));
}
