// The runtime's interactive side, in our own types: a process attached to a client (exec, run),
// one-off containers, and what `ps`, `top`, `stats` and `logs` show of a container.
import type { Project, Service } from '../../compose/model.js';

export interface ProcessOptions {
  cmd: string[];
  tty: boolean;
  /** Attach stdin. */
  interactive: boolean;
  user?: string;
  workdir?: string;
  /** `KEY=VALUE` entries added to the container's environment. */
  env: string[];
  privileged: boolean;
}

export interface TerminalSize {
  rows: number;
  cols: number;
}

export type OutputStream = 'stdout' | 'stderr';

/** A process the client is attached to. Output ends when the process closed its output. */
export interface InteractiveSession {
  output: AsyncIterable<{ stream: OutputStream; data: Buffer }>;
  write(data: Buffer): void;
  /** The client's stdin ended: the process sees end of file. */
  endInput(): void;
  resize(size: TerminalSize): Promise<void>;
  /** The exit code, once the process has ended (call after the output ended). */
  exitCode(): Promise<number>;
  /** The client went away: let go of the engine connection. */
  close(): void;
}

export interface OneOffRequest {
  project: Project;
  /** The service's config with the run's overrides applied. */
  service: Service;
  name: string;
  /** Attach stdin (OpenStdin). */
  interactive: boolean;
}

export interface ProcessTable {
  titles: string[];
  processes: string[][];
}

export interface ResourceUsage {
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
}

export interface PsEntry {
  id: string;
  name: string;
  image: string;
  imageId: string;
  command: string;
  /** Epoch ms. */
  createdAt: number;
  state: string;
  /** The engine's own words: "Up 5 minutes (healthy)", "Exited (3) 2 seconds ago". */
  status: string;
  health: string;
  exitCode: number;
  labels: Record<string, string>;
  ports: Array<{ url: string; targetPort: number; publishedPort: number; protocol: string }>;
}

export interface LogQuery {
  /** Lines from the end; undefined for all. */
  tail?: number;
  /** Epoch seconds (fractions allowed). */
  since?: number;
  until?: number;
  follow: boolean;
  signal: AbortSignal;
}

export interface LogEntry {
  /** The engine's RFC 3339 timestamp with nanoseconds, which sorts as text within one zone. */
  time: string;
  stream: OutputStream;
  text: string;
}
