// Container logs. Without a TTY the engine multiplexes stdout and stderr into frames of
// [stream(1), 0, 0, 0, size(4, big-endian)] + payload; with a TTY it sends the raw bytes.
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';

/** Incremental frame decoder: feed chunks, get payload bytes back (stdout and stderr interleaved). */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      out.push(this.pending.subarray(8, 8 + size));
      this.pending = this.pending.subarray(8 + size);
    }
    return Buffer.concat(out);
  }
}

/** Splits text into lines, holding back a trailing partial line until the next chunk. */
export class LineSplitter {
  private partial = '';

  push(text: string): string[] {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    return lines.map(stripCarriageReturn);
  }

  flush(): string[] {
    const rest = this.partial;
    this.partial = '';
    return rest ? [stripCarriageReturn(rest)] : [];
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

export async function logsTail(container: Docker.Container, tty: boolean, lines: number): Promise<string[]> {
  // Without follow, dockerode hands back the whole body as one Buffer.
  const body = (await container.logs({ stdout: true, stderr: true, follow: false, tail: lines })) as unknown as Buffer;
  const bytes = tty ? body : new FrameDecoder().push(Buffer.from(body));
  const splitter = new LineSplitter();
  return [...splitter.push(bytes.toString('utf8')), ...splitter.flush()];
}

export async function* followLogs(
  container: Docker.Container,
  tty: boolean,
  opts: { tail?: number; signal: AbortSignal },
): AsyncGenerator<string> {
  if (opts.signal.aborted) return;
  const stream = (await container.logs({
    stdout: true,
    stderr: true,
    follow: true,
    tail: opts.tail ?? 'all',
    abortSignal: opts.signal,
  } as Docker.ContainerLogsOptions & { follow: true })) as NodeJS.ReadableStream & { destroy(): void };
  const onAbort = (): void => stream.destroy();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  const decoder = tty ? undefined : new FrameDecoder();
  // A multi-byte character may straddle two chunks.
  const text = new StringDecoder('utf8');
  const splitter = new LineSplitter();
  try {
    for await (const chunk of stream) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      // Podman 4.3.1 sends a followed log in larger chunks than Docker: stop mid-chunk once aborted.
      for (const line of splitter.push(text.write(decoder ? decoder.push(buffer) : buffer))) {
        if (opts.signal.aborted) return;
        yield line;
      }
    }
    yield* splitter.push(text.end());
    yield* splitter.flush();
  } catch (error) {
    if (!opts.signal.aborted) throw error;
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
    stream.destroy();
  }
}
