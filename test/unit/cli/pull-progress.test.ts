import { describe, expect, it } from 'vitest';
import type { LayerProgress } from '../../../src/protocol/api.js';
import { PullProgressRenderer, type ProgressLine } from '../../../src/cli/render/pull-progress.js';

const IMAGE = '127.0.0.1:5055/app:latest';
const layer = (id: string, status: string, current?: number, total?: number): ProgressLine => {
  const l: LayerProgress = { image: IMAGE, layer: id, status, ...(current !== undefined ? { current } : {}), ...(total !== undefined ? { total } : {}) };
  return { resource: 'web', message: `${id}: ${status}`, layer: l };
};

/** One pull as the engine reports it: two layers, one downloading in chunks, then the closing line. */
const PULL: ProgressLine[] = [
  layer('aaaaaaaaaaaa', 'Pulling fs layer'),
  layer('bbbbbbbbbbbb', 'Pulling fs layer'),
  layer('aaaaaaaaaaaa', 'Downloading', 32_768, 1_064_376),
  layer('aaaaaaaaaaaa', 'Downloading', 1_064_376, 1_064_376),
  layer('bbbbbbbbbbbb', 'Downloading', 500, 1_000),
  layer('aaaaaaaaaaaa', 'Pull complete'),
  layer('bbbbbbbbbbbb', 'Pull complete'),
  { resource: 'web', message: `${IMAGE}: pulled sha256:abc` },
];

describe('pull progress off a terminal', () => {
  it('prints nothing per layer and one line per image, with what its layers added up to', () => {
    const r = new PullProgressRenderer(undefined);
    expect(PULL.map((l) => r.render(l)).join('')).toBe(`web: ${IMAGE}: pulled sha256:abc (2 layers, 1.07MB)\n`);
  });

  it('an image already up to date has no layers to count; other lines pass as they are', () => {
    const r = new PullProgressRenderer(undefined);
    expect(r.render({ resource: 'web', message: `${IMAGE}: up to date sha256:abc` })).toBe(`web: ${IMAGE}: up to date sha256:abc\n`);
    expect(r.render({ resource: 'network demo_default', message: 'creating' })).toBe('network demo_default: creating\n');
  });
});

describe('pull progress on a terminal', () => {
  it('gives each layer one line and redraws it in place: up to it, clear, rewrite, back down', () => {
    const r = new PullProgressRenderer(120);
    const out = PULL.map((l) => r.render(l));
    expect(out[0]).toBe('web: aaaaaaaaaaaa: Pulling fs layer\n');
    expect(out[1]).toBe('web: bbbbbbbbbbbb: Pulling fs layer\n');
    expect(out[2]).toBe(`\x1b[2A\r\x1b[2Kweb: aaaaaaaaaaaa: Downloading [=>${' '.repeat(38)}] 32.8kB/1.06MB\x1b[2B\r`);
    expect(out[3]).toBe(`\x1b[2A\r\x1b[2Kweb: aaaaaaaaaaaa: Downloading [${'='.repeat(40)}] 1.06MB/1.06MB\x1b[2B\r`);
    expect(out[4]).toBe(`\x1b[1A\r\x1b[2Kweb: bbbbbbbbbbbb: Downloading [${'='.repeat(20)}>${' '.repeat(19)}] 500B/1kB\x1b[1B\r`);
    expect(out[5]).toBe('\x1b[2A\r\x1b[2Kweb: aaaaaaaaaaaa: Pull complete\x1b[2B\r');
    expect(out[7]).toBe(`web: ${IMAGE}: pulled sha256:abc (2 layers, 1.07MB)\n`);
  });

  it('a state drawn already writes nothing; after a closing line the next image starts a block of its own', () => {
    const r = new PullProgressRenderer(120);
    for (const l of PULL) r.render(l);
    expect(r.render(layer('aaaaaaaaaaaa', 'Pull complete'))).toBe('web: aaaaaaaaaaaa: Pull complete\n');
    expect(r.render(layer('aaaaaaaaaaaa', 'Pull complete'))).toBe('');
  });

  it('cuts a line to the terminal\'s width, so a wrapped line never throws the count off', () => {
    const r = new PullProgressRenderer(20);
    expect(r.render(layer('aaaaaaaaaaaa', 'Pulling fs layer'))).toBe('web: aaaaaaaaaaaa: \n');
  });
});
