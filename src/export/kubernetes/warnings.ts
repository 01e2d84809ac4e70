// What the export could not carry over, as data: a compose key path and what happened to it.
// The command prints them; tests assert them. Nothing here writes anywhere.

export interface ExportWarning {
  /** The compose key the warning is about, e.g. `services.web.cap_add` or `volumes.data.driver`. */
  path: string;
  message: string;
}

export function formatWarning(w: ExportWarning): string {
  return `${w.path}: ${w.message}`;
}

export class Warnings {
  private readonly list: ExportWarning[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  /** Sorted by path, then message, without repeats: stable output whatever order they came in. */
  sorted(): ExportWarning[] {
    const seen = new Set<string>();
    const out: ExportWarning[] = [];
    for (const w of this.list) {
      const key = formatWarning(w);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(w);
    }
    return out.sort((a, b) => compare(a.path, b.path) || compare(a.message, b.message));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
