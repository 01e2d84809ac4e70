// `config --no-interpolate`: the compose files merged as written, `${VAR}` left as text. The
// normalized model cannot hold it (a port or a size is typed), so this is the merged source: short
// syntax stays short, include and extends stay as written. Pure, like the loader's core.
import { dropResets, mergeDocuments } from './merge.js';
import type { SourceFile } from './project.js';
import { toPlain, type Node } from './tree.js';
import { parseYaml } from './yaml-tree.js';

export function mergeUninterpolated(files: readonly SourceFile[]): unknown {
  const roots: Node[] = files.flatMap((file) => parseYaml(file.text, file.name).roots.filter((r) => r.kind === 'map'));
  if (roots.length === 0) return {};
  return toPlain(dropResets(roots.slice(1).reduce((acc, next) => mergeDocuments(acc, next), roots[0]!)));
}
