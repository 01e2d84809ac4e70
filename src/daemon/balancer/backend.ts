// The balancer's vocabulary, shared by the pool, the links and the public class.

/** One replica that can take connections; `id` names it in logs and stats (e.g. "web#2"). */
export interface Backend {
  readonly id: string;
  readonly host: string;
  readonly port: number;
}

/** Counters for one backend since it (last) entered the balancer. */
export interface BackendStats {
  id: string;
  /** Connections open now, including ones still connecting. */
  active: number;
  /** Connections that reached the backend. */
  total: number;
  /** Bytes forwarded from clients to the backend. */
  bytesIn: number;
  /** Bytes forwarded from the backend to clients. */
  bytesOut: number;
  /** Connect attempts that failed (refused, timed out, reset); the client was retried elsewhere. */
  failures: number;
  /** Connections it reset (or that failed on its side) after accepting them. */
  resets: number;
}
