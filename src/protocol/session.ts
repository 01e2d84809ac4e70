// `composed exec` and `composed run` over the control socket: the client asks for an HTTP upgrade
// (`Upgrade: composed-session`, the request as JSON in `?request=`), and after `101` both sides
// speak frames of [type(1), size(4, big-endian)] + payload on the same connection. One connection
// carries input, output, terminal size and the exit code, so nothing is left for a second request.

export const SESSION_UPGRADE = 'composed-session';

export const FrameType = {
  /** client -> daemon: bytes for the process's stdin. */
  stdin: 0,
  /** daemon -> client: output. */
  stdout: 1,
  stderr: 2,
  /** daemon -> client, last frame: JSON {exitCode}. */
  exit: 3,
  /** client -> daemon: JSON {rows, cols}. */
  resize: 4,
  /** client -> daemon: the client's stdin ended. */
  stdinEnd: 5,
  /** daemon -> client, last frame: JSON ErrorResponse (the session failed after the upgrade). */
  error: 6,
  /** daemon -> client: JSON {container} once a one-off container exists. */
  started: 7,
} as const;

export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

/** POST /v1/projects/{p}/services/{s}/exec */
export interface ExecRequest {
  cmd: string[];
  tty: boolean;
  interactive: boolean;
  detach: boolean;
  user?: string;
  workdir?: string;
  /** KEY=VALUE */
  env: string[];
  /** Replica number (--index), default 1. */
  index: number;
  privileged: boolean;
}

/** POST /v1/projects/{p}/services/{s}/run */
export interface RunRequest {
  /** Overrides the service's command when not empty. */
  command: string[];
  /** Overrides the service's entrypoint (words) when given. */
  entrypoint?: string[];
  tty: boolean;
  interactive: boolean;
  detach: boolean;
  /** Remove the container (and its anonymous volumes) once it exits. */
  rm: boolean;
  user?: string;
  workdir?: string;
  /** KEY=VALUE */
  env: string[];
  name?: string;
  /** -p: port mappings in compose's short syntax. */
  publish: string[];
  /** -v: volumes in compose's short syntax; relative sources are against cwd. */
  volumes: string[];
  /** Absolute directory the CLI ran in. */
  cwd: string;
}

export function encodeFrame(type: FrameTypeValue, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

/** Incremental decoder: feed chunks as they arrive, get whole frames back. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ type: number; payload: Buffer }> {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Array<{ type: number; payload: Buffer }> = [];
    while (this.pending.length >= 5) {
      const size = this.pending.readUInt32BE(1);
      if (this.pending.length < 5 + size) break;
      frames.push({ type: this.pending[0] as number, payload: this.pending.subarray(5, 5 + size) });
      this.pending = this.pending.subarray(5 + size);
    }
    return frames;
  }
}
