// The client side of an exec or run session: this terminal's input, size and output tied to the
// process in the container, in the frames of session-protocol.ts. With a TTY the terminal is put in
// raw mode, so Ctrl-C and the like reach the process as keystrokes, as with `docker compose exec`.
import { ApiError, type DaemonClient } from './client.js';
import { encodeFrame, FrameReader, FrameType, SESSION_UPGRADE } from '../protocol/session.js';
import type { ErrorResponse } from '../protocol/api.js';

export interface SessionOutcome {
  exitCode: number;
  /** The one-off container's name (run). */
  container?: string;
}

export async function runSession(client: DaemonClient, path: string, request: { tty: boolean; interactive: boolean }): Promise<SessionOutcome> {
  const { socket, head } = await client.upgrade(`${path}?request=${encodeURIComponent(JSON.stringify(request))}`, SESSION_UPGRADE);
  const stdin = process.stdin;
  const raw = request.tty && stdin.isTTY;
  if (raw) stdin.setRawMode(true);
  const sendSize = (): void => {
    if (process.stdout.isTTY) socket.write(encodeFrame(FrameType.resize, JSON.stringify({ rows: process.stdout.rows, cols: process.stdout.columns })));
  };
  const onInput = (data: Buffer): void => void socket.write(encodeFrame(FrameType.stdin, data));
  const onInputEnd = (): void => void socket.write(encodeFrame(FrameType.stdinEnd));
  if (request.tty) {
    sendSize();
    process.stdout.on('resize', sendSize);
  }
  if (request.interactive) {
    stdin.on('data', onInput);
    stdin.once('end', onInputEnd);
  }
  try {
    return await new Promise<SessionOutcome>((resolve, reject) => {
      const reader = new FrameReader();
      let container: string | undefined;
      const onData = (chunk: Buffer): void => {
        for (const frame of reader.push(chunk)) {
          if (frame.type === FrameType.stdout) process.stdout.write(frame.payload);
          else if (frame.type === FrameType.stderr) process.stderr.write(frame.payload);
          else if (frame.type === FrameType.started) container = (JSON.parse(frame.payload.toString()) as { container: string }).container;
          else if (frame.type === FrameType.exit) resolve({ exitCode: (JSON.parse(frame.payload.toString()) as { exitCode: number }).exitCode, ...(container ? { container } : {}) });
          else if (frame.type === FrameType.error) reject(new ApiError(500, JSON.parse(frame.payload.toString()) as ErrorResponse));
        }
      };
      if (head.length) onData(head);
      socket.on('data', onData);
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('the daemon closed the session before the process ended')));
    });
  } finally {
    if (raw) stdin.setRawMode(false);
    process.stdout.off('resize', sendSize);
    stdin.off('data', onInput);
    stdin.off('end', onInputEnd);
    // Reading stdin would keep this process alive after the container's process has ended.
    stdin.destroy();
    socket.destroy();
  }
}
