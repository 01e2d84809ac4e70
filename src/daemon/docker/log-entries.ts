// Container logs with the engine's timestamps (`timestamps=1` prefixes every line with RFC 3339
// nanoseconds and a space), split into lines per stream, so several containers' lines can be
// merged in time order and `logs -t` can show the engine's own time.
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import type { LogEntry, LogQuery, OutputStream } from '../ports/interactive.js';
import { LineSplitter } from './logs.js';
import { TypedFrameDecoder } from './multiplexed.js';

export async function* logEntries(container: Docker.Container, tty: boolean, query: LogQuery): AsyncGenerator<LogEntry> {
  if (query.signal.aborted) return;
  const options = {
    stdout: true,
    stderr: true,
    timestamps: true,
    follow: query.follow,
    tail: query.tail ?? 'all',
    ...(query.since !== undefined ? { since: query.since } : {}),
    ...(query.until !== undefined ? { until: query.until } : {}),
    abortSignal: query.signal,
  };
  const body = (await container.logs(options as Docker.ContainerLogsOptions & { follow: true })) as unknown as AsyncIterable<Buffer> | Buffer;
  const chunks: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(body) ? [body] : body;
  const decoder = tty ? undefined : new TypedFrameDecoder();
  const lines: Record<OutputStream, { text: StringDecoder; split: LineSplitter }> = {
    stdout: { text: new StringDecoder('utf8'), split: new LineSplitter() },
    stderr: { text: new StringDecoder('utf8'), split: new LineSplitter() },
  };
  try {
    for await (const chunk of chunks) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (const { stream, data } of decoder ? decoder.push(buffer) : [{ stream: 'stdout' as const, data: buffer }]) {
        for (const line of lines[stream].split.push(lines[stream].text.write(data))) yield entry(stream, line);
      }
    }
    for (const stream of ['stdout', 'stderr'] as const) for (const line of lines[stream].split.push(lines[stream].text.end())) yield entry(stream, line);
    for (const stream of ['stdout', 'stderr'] as const) for (const line of lines[stream].split.flush()) yield entry(stream, line);
  } catch (error) {
    if (!query.signal.aborted) throw error;
  }
}

function entry(stream: OutputStream, line: string): LogEntry {
  const space = line.indexOf(' ');
  return space > 0 ? { time: line.slice(0, space), stream, text: line.slice(space + 1) } : { time: '', stream, text: line };
}
