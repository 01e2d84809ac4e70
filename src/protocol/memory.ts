// Wire types of what the daemon remembers past a replacement or its own restart: the output of
// replaced containers (`logs --previous`) and each replica's incidents (`why`).

/** GET /v1/projects/{p}/services/{s}/previous-logs: one replaced container's output. */
export interface PreviousLogs {
  service: string;
  replica: number;
  containerId: string;
  /** ISO time the output was kept, just before the container was removed. */
  keptAt: string;
  /** 1 is the latest replaced container (of the replica, or of the service without `index`). */
  previous: number;
  /** How many are kept for the same choice of replica. */
  kept: number;
  /** Whether the output was longer than the daemon keeps (the start is cut). */
  truncated: boolean;
  lines: string[];
}

export type IncidentKind = 'exit' | 'unhealthy' | 'restart' | 'give-up' | 'rollout' | 'scaled' | 'engine' | 'failure' | 'replaced' | 'signal';

export interface Incident {
  /** ISO time. */
  at: string;
  kind: IncidentKind;
  /** What happened and why, as the daemon announced it. */
  cause: string;
  exitCode?: number;
  /** The signal that ended the process, for an exit code above 128. */
  signal?: string;
  oomKilled?: boolean;
  /** Probe output of an unhealthy replica. */
  healthOutput?: string;
  /** The container's last lines of output at a death, when they were kept. */
  lastLines?: string[];
}

/** GET /v1/projects/{p}/services/{s}/why */
export interface WhyReport {
  project: string;
  service: string;
  /** Service-wide incidents: roll-outs, scaling, engine outages. */
  serviceIncidents: Incident[];
  replicas: Array<{ replica: number; incidents: Incident[] }>;
}
