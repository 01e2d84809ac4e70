// What `pull` and `up` show of the daemon's progress lines. On a terminal each layer keeps one line,
// redrawn in place as docker's own pull does (`a1b2c3d4e5f6: Downloading [==>   ] 1.2MB/3.4MB`);
// elsewhere (a pipe, a log file, CI) layers print nothing and each image gets its one closing line
// with what its layers added up to. Pure: it returns the text to write, the caller writes it.
import type { LayerProgress } from '../../protocol/api.js';
import { decimalBytes } from './bytes.js';

export interface ProgressLine {
  resource: string;
  message: string;
  layer?: LayerProgress;
}

const BAR_WIDTH = 40;
const UP = (n: number) => `\x1b[${n}A`;
const DOWN = (n: number) => `\x1b[${n}B`;
const CLEAR_LINE = '\r\x1b[2K';

export class PullProgressRenderer {
  /** The layers drawn since the last plain line, in the order they appeared (terminal only). */
  private block: Array<{ key: string; text: string }> = [];
  /** Per resource, the bytes each layer downloads (its total while Downloading), for the closing line. */
  private readonly sizes = new Map<string, Map<string, number>>();

  /** `columns`: the terminal's width, when on one; undefined for a pipe or a file. */
  constructor(private readonly columns: number | undefined) {}

  render({ resource, message, layer }: ProgressLine): string {
    if (!layer) return this.plain(resource, message);
    const sizes = this.sizes.get(resource) ?? new Map<string, number>();
    this.sizes.set(resource, sizes);
    const key = `${layer.image} ${layer.layer}`;
    if (layer.status === 'Downloading' && layer.total) sizes.set(key, layer.total);
    else if (!sizes.has(key)) sizes.set(key, 0);
    return this.columns === undefined ? '' : this.redraw(key, this.fit(`${resource}: ${layerText(layer)}`));
  }

  private plain(resource: string, message: string): string {
    // The layers drawn stay on screen as they ended; the next ones start a block of their own.
    this.block = [];
    const sizes = this.sizes.get(resource);
    this.sizes.delete(resource);
    return `${resource}: ${message}${sizes ? ` (${layersSummary(sizes)})` : ''}\n`;
  }

  private redraw(key: string, text: string): string {
    const at = this.block.findIndex((l) => l.key === key);
    if (at < 0) {
      this.block.push({ key, text });
      return `${text}\n`;
    }
    const line = this.block[at]!;
    if (line.text === text) return '';
    line.text = text;
    // The cursor rests at the start of the line below the block: up to the layer's line, rewrite it, back down.
    const up = this.block.length - at;
    return `${UP(up)}${CLEAR_LINE}${text}${DOWN(up)}\r`;
  }

  /** A line longer than the terminal wraps, and the count of lines to move up would be wrong. */
  private fit(text: string): string {
    const width = Math.max(1, (this.columns ?? Infinity) - 1);
    return text.length > width ? text.slice(0, width) : text;
  }
}

function layerText({ layer, status, current, total }: LayerProgress): string {
  if (current === undefined || !total) return `${layer}: ${status}`;
  const done = Math.min(BAR_WIDTH, Math.floor((current / total) * BAR_WIDTH));
  const bar = done >= BAR_WIDTH ? '='.repeat(BAR_WIDTH) : `${'='.repeat(done)}>${' '.repeat(BAR_WIDTH - done - 1)}`;
  return `${layer}: ${status} [${bar}] ${decimalBytes(current)}/${decimalBytes(total)}`;
}

function layersSummary(sizes: Map<string, number>): string {
  const bytes = [...sizes.values()].reduce((a, b) => a + b, 0);
  return `${sizes.size === 1 ? '1 layer' : `${sizes.size} layers`}${bytes > 0 ? `, ${decimalBytes(bytes)}` : ''}`;
}
