// The dashboard's script and stylesheet, read once from the package (the build copies assets/ next
// to this file in dist/), served with an ETag so a phone on a slow link fetches them once.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'plots.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };

export class Assets {
  private readonly files = new Map<string, Asset>();

  constructor(dir = new URL('./assets/', import.meta.url)) {
    for (const [name, type] of Object.entries(TYPES)) {
      const body = readFileSync(new URL(name, dir));
      this.files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
    }
  }

  /** Answers /assets/NAME and returns true, or returns false for another name. */
  serve(name: string, req: IncomingMessage, res: ServerResponse): boolean {
    const asset = this.files.get(name);
    if (!asset) return false;
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, { etag: asset.etag }).end();
      return true;
    }
    res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length, etag: asset.etag, 'cache-control': 'no-cache' });
    res.end(asset.body);
    return true;
  }
}
