// Wire types of the routes behind compose's own commands (ps, logs, kill, pause, top, stats).
// Field names follow `docker compose ps --format json`, so the CLI passes them through unchanged.

export interface Publisher {
  URL: string;
  TargetPort: number;
  PublishedPort: number;
  Protocol: string;
}

/** GET /v1/projects/{p}/containers: one per container of the project, one-offs included. */
export interface ComposeContainer {
  ID: string;
  Name: string;
  Image: string;
  Command: string;
  /** The image's id (sha256:...); not a compose ps field, left out of ps --format json. */
  ImageID: string;
  Project: string;
  Service: string;
  /** Epoch seconds, as compose prints it. */
  Created: number;
  State: string;
  Status: string;
  Health: string;
  ExitCode: number;
  Publishers: Publisher[];
  Labels: string;
  /** com.docker.compose.container-number. */
  Number: number;
  /** A `composed run` container. */
  OneOff: boolean;
}

/** One line of GET /v1/projects/{p}/log-entries (NDJSON). */
export interface LogLine {
  /** Container name. */
  container: string;
  service: string;
  number: number;
  /** RFC 3339 with nanoseconds. */
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** POST /v1/projects/{p}/containers/{name}/kill */
export interface KillRequest {
  signal: string;
}

export interface ContainerProcesses {
  container: string;
  titles: string[];
  processes: string[][];
}

export interface ContainerStats {
  container: string;
  service: string;
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
}
