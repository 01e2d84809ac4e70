// Engine failures in our own terms (RuntimeError from the port), so the controller can decide
// without knowing dockerode: not-found -> drop the work item, conflict -> re-observe and retry,
// transient -> requeue with backoff, terminal -> report and stop retrying.
import { RuntimeError } from '../ports/runtime.js';

export { RuntimeError };

/** Socket-level failures: the engine is down, restarting, or the connection broke mid-request. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT', // unix socket missing while dockerd restarts
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ESOCKETTIMEDOUT',
]);

interface ModemErrorShape {
  statusCode?: unknown;
  code?: unknown;
  json?: unknown;
  message?: unknown;
}

/** The engine's own message: docker-modem puts the JSON body in `json`, its message in `message`. */
export function engineMessage(error: unknown): string {
  const e = (error ?? {}) as ModemErrorShape;
  const json = e.json as { message?: unknown } | undefined;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message.trim();
  if (typeof e.message === 'string') return e.message.trim();
  return String(error);
}

export function statusOf(error: unknown): number | undefined {
  const code = (error as ModemErrorShape | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Wraps any error from the engine client; `context` says what we were doing ("start web-1"). */
export function classify(error: unknown, context: string): RuntimeError {
  if (error instanceof RuntimeError) return error;
  const status = statusOf(error);
  const message = `${context}: ${engineMessage(error)}`;
  const code = (error as ModemErrorShape | undefined)?.code;
  if (status === undefined) {
    // No answer from the engine says nothing about the request itself: retried with backoff. (The
    // socket code is kept: one of TRANSIENT_CODES means the engine is not there at all.)
    const socketCode = typeof code === 'string' ? code : undefined;
    return new RuntimeError('transient', message, { cause: error, ...(socketCode && TRANSIENT_CODES.has(socketCode) ? { code: socketCode } : {}) });
  }
  return new RuntimeError(kindOf(status, error), message, { cause: error, statusCode: status });
}

/**
 * 403 is the engine refusing for the state of things, not for the request: Docker 20.10 answered a
 * start with 403 "endpoint with name … already exists in network" right after its own restart (the
 * replica is recreated and starts), and a network removal with 403 "has active endpoints". Only the
 * other 4xx say the request itself is wrong (an invalid spec, no authorization), which retrying
 * the same request cannot fix.
 */
function kindOf(status: number, error: unknown): RuntimeError['kind'] {
  if (status === 404) return 'not-found';
  if (status === 409 || status === 403 || isPodmanConflict(status, error)) return 'conflict';
  if (status >= 500) return 'transient';
  return 'terminal';
}

/**
 * Podman 4.3.1 answers a create whose name is taken with 500 (cause "that name is already in use")
 * where Docker answers 409; it is the same conflict, not an engine failure to retry blindly.
 */
function isPodmanConflict(status: number, error: unknown): boolean {
  const cause = ((error as ModemErrorShape | undefined)?.json as { cause?: unknown } | undefined)?.cause;
  return status === 500 && cause === 'that name is already in use';
}

/**
 * A network that still has containers: Docker 20.10 answers 403 "has active endpoints", Podman
 * 4.3.1 answers 500 with cause "network is being used".
 */
export function isNetworkInUse(error: unknown): boolean {
  const status = statusOf(error);
  const cause = ((error as ModemErrorShape | undefined)?.json as { cause?: unknown } | undefined)?.cause;
  return (status === 403 && /active endpoints/i.test(engineMessage(error))) || (status === 500 && cause === 'network is being used');
}

export function isNotFound(error: unknown): boolean {
  return error instanceof RuntimeError ? error.kind === 'not-found' : statusOf(error) === 404;
}

/**
 * A kill that found nothing to kill: gone, or not running (Docker 409 "is not running"; Podman 4.3.1
 * 500 "can only kill running containers ... container state improper").
 */
export function ignoreNotRunning(error: unknown): void {
  const status = statusOf(error);
  if (status === 404 || status === 409) return;
  if (status === 500 && /can only kill running containers/i.test(engineMessage(error))) return;
  throw error;
}

/** 304 from stop/kill-less stop; 409 "is not running" from kill of an exited container. */
export function isAlreadyStopped(error: unknown): boolean {
  const status = statusOf(error);
  return status === 304 || (status === 409 && /is not running/i.test(engineMessage(error)));
}
