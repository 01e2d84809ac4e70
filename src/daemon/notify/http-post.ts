// One POST of a notification. The timeout is armed on the injected clock and covers the whole
// exchange (connect, send, the answer), so a receiver that accepts and never answers costs one
// timeout and nothing more. The answer's body is read and dropped.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Clock } from '../ports/clock.js';
import type { Payload } from './payload.js';

export type PostResult = { ok: true; status: number } | { ok: false; retry: boolean; error: string };

export type Post = (url: string, payload: Payload, timeoutMs: number) => Promise<PostResult>;

export function httpPost(clock: Clock): Post {
  return (url, payload, timeoutMs) =>
    new Promise<PostResult>((resolve) => {
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const body = Buffer.from(payload.body, 'utf8');
      let settled = false;
      const finish = (result: PostResult) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        resolve(result);
      };
      const req = send(target, {
        method: 'POST',
        headers: { 'content-type': payload.contentType, 'content-length': String(body.length), 'user-agent': 'composed', ...payload.headers },
      });
      const timer = clock.setTimer(timeoutMs, () => {
        finish({ ok: false, retry: true, error: `no answer within ${timeoutMs / 1000} s` });
        req.destroy();
      });
      req.on('response', (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) finish({ ok: true, status });
        // 408 and 429 ask to come back later; other 4xx say the request itself is wrong and will stay wrong.
        else finish({ ok: false, retry: status >= 500 || status === 408 || status === 429, error: `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}` });
      });
      req.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, retry: true, error: error.code ?? error.message }));
      req.end(body);
    });
}
