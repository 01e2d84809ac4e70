// A steady client for tests behind a balancer: `concurrency` clients sending GETs to 127.0.0.1 back
// to back, each on a fresh connection (so every request is a new balanced connection), until
// stop() or `maxRequests` in all, so a forgotten load still ends. Counts what came back.
import { request as httpRequest } from 'node:http';

export interface Reply {
  status: number;
  body: string;
}

/** One request on a fresh connection (no keep-alive). */
export function get(port: number, path = '/', timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface LoadResult {
  ok: number;
  failed: number;
  /** Why each failed request failed, in order. */
  errors: string[];
  /** The body of every 200, trimmed, in the order they came. */
  answers: string[];
  /** How many 200s came with each body, as sent. */
  byBody: Map<string, number>;
}

/** The counts so far (they grow while the load runs), and its end. */
export interface Load extends Readonly<LoadResult> {
  /** Stop issuing requests; resolves when the in-flight ones have finished. */
  stop(): Promise<LoadResult>;
  /** Resolves once `maxRequests` have been answered or have failed. */
  readonly done: Promise<LoadResult>;
}

export function steadyLoad(port: number, { concurrency = 4, maxRequests = 20_000 } = {}): Load {
  const result: LoadResult = { ok: 0, failed: 0, errors: [], answers: [], byBody: new Map() };
  let stopped = false;
  let issued = 0;
  const client = async () => {
    while (!stopped && issued < maxRequests) {
      issued += 1;
      try {
        const reply = await get(port);
        if (reply.status !== 200) throw new Error(`status ${reply.status}`);
        result.ok += 1;
        result.answers.push(reply.body.trim());
        result.byBody.set(reply.body, (result.byBody.get(reply.body) ?? 0) + 1);
      } catch (error) {
        result.failed += 1;
        result.errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, client)).then(() => result);
  return {
    done,
    async stop() {
      stopped = true;
      return done;
    },
    get ok() {
      return result.ok;
    },
    get failed() {
      return result.failed;
    },
    errors: result.errors,
    answers: result.answers,
    byBody: result.byBody,
  };
}
