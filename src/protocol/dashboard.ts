// Wire types of the dashboard: the login link `composed dashboard` asks the daemon for, and a
// service's metric history the dashboard's plots draw.

/** POST /v1/dashboard/login over the unix socket. */
export interface DashboardLogin {
  /** Logs a browser in once, within `expiresAt`. */
  url: string;
  /** ISO time. */
  expiresAt: string;
  /** Where the token is, for scripts that send `Authorization: Bearer`. */
  tokenFile: string;
}

export interface HistorySample {
  /** Epoch ms. */
  at: number;
  /** Replicas the service should have then. */
  desired: number;
  ready: number;
  /** CPU percent per replica number, as the autoscaler counts it (of the CPU limit, else of one core). */
  cpu: Record<string, number>;
}

export interface HistoryMark {
  /** Epoch ms. */
  at: number;
  /** A scale decision (the autoscaler's or a user's), or a replica restarted. */
  kind: 'decision' | 'restart';
  replica?: number;
  /** decision: autoscaler | user; restart: exit | oom | unhealthy | removed. */
  cause: string;
  message: string;
}

/** GET /dashboard/history/{project}/{service}: the last hour, oldest first. */
export interface ServiceHistory {
  project: string;
  service: string;
  windowMs: number;
  sampleIntervalMs: number;
  samples: HistorySample[];
  marks: HistoryMark[];
  autoscale?: { min: number; max: number; targetCpu?: number };
}
