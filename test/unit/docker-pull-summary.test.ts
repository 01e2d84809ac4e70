import { describe, expect, it } from 'vitest';
import { PullSummary } from '../../src/daemon/docker/pull-summary.js';

const REF = '127.0.0.1:5055/app:latest';
const DIGEST = 'sha256:644d908e56e4cb98caf33eb7bcd0526fda10bc8f430d70dfe80237791e971ced';

describe('the engine\'s pull stream, read', () => {
  it('layers become layer progress; "Pulling from" (its id is the tag) and the digest lines do not', () => {
    // As Docker 20.10 streamed it pulling an imported busybox from distribution 2.8.
    const s = new PullSummary(REF);
    const layers = [
      { status: 'Pulling from app', id: 'latest' },
      { status: 'Pulling fs layer', progressDetail: {}, id: '076d24db3d85' },
      { status: 'Downloading', progressDetail: { current: 32768, total: 1064376 }, id: '076d24db3d85' },
      { status: 'Pull complete', progressDetail: {}, id: '076d24db3d85' },
      { status: `Digest: ${DIGEST}` },
      { status: `Status: Downloaded newer image for ${REF}` },
    ].map((m) => s.take(m));
    expect(layers).toEqual([
      undefined,
      { image: REF, layer: '076d24db3d85', status: 'Pulling fs layer' },
      { image: REF, layer: '076d24db3d85', status: 'Downloading', current: 32768, total: 1064376 },
      { image: REF, layer: '076d24db3d85', status: 'Pull complete' },
      undefined,
      undefined,
    ]);
    expect(s.line()).toBe(`${REF}: pulled ${DIGEST}`);
  });

  it('an image the engine has already is up to date', () => {
    const s = new PullSummary(REF);
    for (const m of [{ status: 'Pulling from app', id: 'latest' }, { status: `Digest: ${DIGEST}` }, { status: `Status: Image is up to date for ${REF}` }]) s.take(m);
    expect(s.line()).toBe(`${REF}: up to date ${DIGEST}`);
  });
});
