// Log lines as docker compose prints them: `web-1  | text`, the prefix padded to the widest name
// seen so far and coloured per replica on a terminal.
import picocolors from 'picocolors';
import type { LogLine } from '../../protocol/compose-containers.js';

const PALETTE = ['cyan', 'yellow', 'green', 'magenta', 'blue', 'red'] as const;

export class LogPrinter {
  private width = 0;
  private readonly colours = new Map<string, (text: string) => string>();
  private readonly pc;

  constructor(private readonly options: { prefix: boolean; timestamps: boolean; colour: boolean }) {
    this.pc = picocolors.createColors(options.colour);
  }

  format(line: LogLine): string {
    const text = this.options.timestamps ? `${line.time} ${line.text}` : line.text;
    if (!this.options.prefix) return `${text}\n`;
    const name = `${line.service}-${line.number}`;
    this.width = Math.max(this.width, name.length);
    return `${this.colour(name)(`${name.padEnd(this.width)} |`)} ${text}\n`;
  }

  private colour(name: string): (text: string) => string {
    let c = this.colours.get(name);
    if (!c) {
      c = this.pc[PALETTE[this.colours.size % PALETTE.length] as (typeof PALETTE)[number]];
      this.colours.set(name, c);
    }
    return c;
  }
}
