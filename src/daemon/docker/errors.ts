// Engine failures in our own terms, so the controller can decide without knowing dockerode:
// not-found -> drop the work item, conflict -> re-observe and retry, transient -> requeue with
// backoff, terminal -> report and stop retrying.

export type RuntimeErrorKind = 'not-found' | 'conflict' | 'transient' | 'terminal';

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';

  constructor(
    readonly kind: RuntimeErrorKind,
    message: string,
    /** The engine's HTTP status when it answered at all. */
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

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
    const transient = typeof code === 'string' && TRANSIENT_CODES.has(code);
    return new RuntimeError(transient ? 'transient' : 'terminal', message, undefined, { cause: error });
  }
  if (status === 404) return new RuntimeError('not-found', message, status, { cause: error });
  if (status === 409) return new RuntimeError('conflict', message, status, { cause: error });
  if (status >= 500) return new RuntimeError('transient', message, status, { cause: error });
  return new RuntimeError('terminal', message, status, { cause: error });
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404 || (error instanceof RuntimeError && error.kind === 'not-found');
}
