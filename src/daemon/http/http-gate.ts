// Who may use the TCP listener: every request carries the token, as `Authorization: Bearer` or as
// the session cookie a one-time login link sets. Requests that change state are also refused when
// they come from another site, since a browser sends the cookie along with those:
// - Sec-Fetch-Site, when the browser sends it, must be same-origin or none (typed, a bookmark);
// - Origin, when present, must be this listener's own;
// - with the cookie, the custom header X-Composed-Request must be present: a cross-site form cannot
//   set it, and a cross-site fetch that does needs a CORS preflight this listener never grants.
// The cookie is SameSite=Strict and HttpOnly besides. The unix socket has none of this: its mode
// and group are its access control.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from '../ports/clock.js';
import type { DashboardLogin } from '../../protocol/dashboard.js';
import type { HttpToken } from './http-token.js';

export const SESSION_COOKIE = 'composed_session';
export const REQUEST_HEADER = 'x-composed-request';
const LOGIN_PATH = '/login';
/** A login link is good for one use within this long. */
const LOGIN_LINK_TTL_MS = 5 * 60_000;
/** Links not yet used are forgotten beyond this many (oldest first). */
const MAX_PENDING_LINKS = 32;
const SAFE_METHODS = new Set(['GET', 'HEAD']);

type Refusal = { status: 401 | 403; message: string };

export class HttpGate {
  private readonly sessionValue: string;
  private readonly pendingLinks = new Map<string, number>();

  constructor(
    private readonly token: HttpToken,
    private readonly clock: Clock,
    readonly origin: string,
  ) {
    // Derived, not the token itself: the cookie never reveals what a script's Bearer header holds,
    // and it survives daemon restarts for as long as the token does.
    this.sessionValue = createHmac('sha256', token.value).update('composed dashboard session').digest('base64url');
  }

  /** A link that logs a browser in once (what `composed dashboard` prints). */
  loginLink(): DashboardLogin {
    const now = this.clock.now();
    for (const [nonce, expiresAt] of this.pendingLinks) if (expiresAt <= now) this.pendingLinks.delete(nonce);
    while (this.pendingLinks.size >= MAX_PENDING_LINKS) this.pendingLinks.delete(this.pendingLinks.keys().next().value as string);
    const nonce = randomBytes(24).toString('base64url');
    const expiresAt = now + LOGIN_LINK_TTL_MS;
    this.pendingLinks.set(nonce, expiresAt);
    return { url: `${this.origin}${LOGIN_PATH}?once=${nonce}`, expiresAt: new Date(expiresAt).toISOString(), tokenFile: this.token.file };
  }

  /** True when the request may go on; otherwise it has been answered (401, 403, or the login redirect). */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0];
    if (path === LOGIN_PATH && req.method === 'GET') {
      this.login(req, res);
      return false;
    }
    const refusal = this.check(req);
    if (!refusal) return true;
    const body = JSON.stringify({ error: refusal.message });
    res.writeHead(refusal.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
    return false;
  }

  /** The same for exec/run upgrades, which change state and answer on the raw socket. */
  admitUpgrade(req: IncomingMessage, socket: Duplex): boolean {
    const refusal = this.check(req, true);
    if (!refusal) return true;
    const body = JSON.stringify({ error: refusal.message });
    socket.end(`HTTP/1.1 ${refusal.status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    return false;
  }

  private check(req: IncomingMessage, changesState = !SAFE_METHODS.has(req.method ?? '')): Refusal | undefined {
    const credential = this.credential(req);
    if (!credential) {
      return { status: 401, message: 'this listener needs the token: open the link `composed dashboard` prints, or send Authorization: Bearer <token>' };
    }
    if (!changesState) return undefined;
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return { status: 403, message: `cross-site request refused (Sec-Fetch-Site: ${site})` };
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.ownOrigin(req)) return { status: 403, message: `cross-site request refused (Origin: ${origin.slice(0, 100)})` };
    if (credential === 'cookie' && req.headers[REQUEST_HEADER] === undefined) {
      return { status: 403, message: `a request that changes state needs the ${REQUEST_HEADER} header` };
    }
    return undefined;
  }

  /** The origin the browser used (the Host it sent), so 127.0.0.1 and localhost both work. */
  private ownOrigin(req: IncomingMessage): string {
    return req.headers.host ? `http://${req.headers.host}` : this.origin;
  }

  private credential(req: IncomingMessage): 'bearer' | 'cookie' | undefined {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined && sameSecret(bearer, this.token.value)) return 'bearer';
    const cookie = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (cookie !== undefined && sameSecret(cookie, this.sessionValue)) return 'cookie';
    return undefined;
  }

  private login(req: IncomingMessage, res: ServerResponse): void {
    const nonce = new URL(req.url ?? '/', 'http://composed').searchParams.get('once') ?? '';
    const expiresAt = this.pendingLinks.get(nonce);
    this.pendingLinks.delete(nonce);
    if (expiresAt === undefined || expiresAt <= this.clock.now()) {
      const body = 'This login link is unknown, used or expired: run `composed dashboard` for a new one.\n';
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(303, {
      location: '/',
      'set-cookie': `${SESSION_COOKIE}=${this.sessionValue}; Path=/; HttpOnly; SameSite=Strict`,
      'cache-control': 'no-store',
      'content-length': 0,
    });
    res.end();
  }
}

/** Compares secrets in constant time (hashed first, so their lengths do not matter). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
