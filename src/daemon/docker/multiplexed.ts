// The engine's multiplexed stream (no TTY): frames of [stream(1), 0, 0, 0, size(4, big-endian)] +
// payload, where stream 1 is stdout and 2 stderr. Unlike logs.ts's FrameDecoder this keeps which
// stream each payload came from, since exec and run pass stderr through as stderr.
import type { OutputStream } from '../ports/interactive.js';

export class TypedFrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ stream: OutputStream; data: Buffer }> {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Array<{ stream: OutputStream; data: Buffer }> = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      out.push({ stream: this.pending[0] === 2 ? 'stderr' : 'stdout', data: this.pending.subarray(8, 8 + size) });
      this.pending = this.pending.subarray(8 + size);
    }
    return out;
  }
}

/** Output of a hijacked engine connection: raw bytes with a TTY, frames without. */
export async function* demultiplexed(stream: AsyncIterable<Buffer | string>, tty: boolean): AsyncGenerator<{ stream: OutputStream; data: Buffer }> {
  const decoder = tty ? undefined : new TypedFrameDecoder();
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (decoder) yield* decoder.push(buffer);
    else yield { stream: 'stdout', data: buffer };
  }
}
