// Reads the engine's pull stream (POST /images/create) into layer progress and one closing line.
// Seen on Docker 20.10 pulling from distribution 2.8: `{status:"Pulling from repo", id:"<tag>"}`
// first (the id is the tag, not a layer), then per layer `{id, status}` with `progressDetail
// {current,total}` while Downloading and Extracting, then `{status:"Digest: sha256:…"}` and
// `{status:"Status: Downloaded newer image for …"}` or `"Status: Image is up to date for …"`.
// A layer the engine already has sends nothing at all. The strings only shape what is shown.
import type { LayerProgress } from '../../protocol/api.js';

export interface PullMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
}

export class PullSummary {
  private digest: string | undefined;
  private upToDate = false;

  constructor(private readonly ref: string) {}

  /** The layer this message moves, if it is about one. */
  take(message: PullMessage): LayerProgress | undefined {
    const status = message.status;
    if (!status) return undefined;
    const digest = /^Digest: (\S+)/.exec(status)?.[1];
    if (digest) this.digest = digest;
    if (/^Status: Image is up to date/.test(status)) this.upToDate = true;
    if (!message.id || /^Pulling from /.test(status)) return undefined;
    const { current, total } = message.progressDetail ?? {};
    return { image: this.ref, layer: message.id, status, ...(current !== undefined ? { current } : {}), ...(total !== undefined ? { total } : {}) };
  }

  /** The pull's closing line: what the tag resolved to. */
  line(): string {
    return `${this.ref}: ${this.upToDate ? 'up to date' : 'pulled'}${this.digest ? ` ${this.digest}` : ''}`;
  }
}
