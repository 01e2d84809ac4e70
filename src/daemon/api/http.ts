// Small HTTP helpers for the control API: bounded JSON bodies, JSON and NDJSON answers, errors as
// `{error, field}` with a 4xx status. Nothing here throws past the request that caused it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ComposeError } from '../../compose/errors.js';
import { FileAccessError } from '../../compose/file-access.js';
import type { ErrorResponse } from '../../protocol/api.js';
import { RequestError } from '../lifecycle/request-error.js';

/** Largest request body accepted (a LoadRequest carries an environment; 1 MiB is generous). */
export const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly extra: Partial<ErrorResponse> = {},
  ) {
    super(message);
  }
}

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  const body: ErrorResponse = { error: error.message, ...error.extra };
  if (error.field) body.field = error.field;
  if (res.headersSent) {
    writeLine(res, { kind: 'error', error: body });
    res.end();
    return;
  }
  sendJson(res, error.status, body);
}

export function startStream(res: ServerResponse, contentType = 'application/x-ndjson'): void {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.flushHeaders();
}

/** A streaming client that stops reading is cut off once this much output waits for it. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export function writeLine(res: ServerResponse, value: unknown): void {
  writeText(res, `${JSON.stringify(value)}\n`);
}

/** Writes to a streaming answer unless the client is gone or has stopped reading. */
export function writeText(res: ServerResponse, text: string): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.writableLength > MAX_BUFFERED_BYTES) {
    res.destroy(new Error(`client stopped reading: over ${MAX_BUFFERED_BYTES} bytes unread`));
    return;
  }
  res.write(text);
}

/** Any failure as the HTTP answer it gets: the domain's errors mapped here, and only here. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof RequestError) return new HttpError(error.kind === 'not-found' ? 404 : error.kind === 'forbidden' ? 403 : 422, error.message, error.field);
  // The file's name and why, never its content: the caller could not have read it.
  if (error instanceof FileAccessError) return new HttpError(403, error.message, 'files', { file: error.file });
  if (error instanceof ComposeError) {
    return new HttpError(422, 'the compose file is not valid', undefined, { diagnostics: error.diagnostics });
  }
  return new HttpError(500, error instanceof Error ? error.message : String(error));
}
