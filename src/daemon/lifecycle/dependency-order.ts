// depends_on as levels: level 0 has no dependencies, level k depends only on lower levels. `down`
// walks them in reverse so dependants stop before what they depend on. The loader has already
// rejected cycles.
import type { Project } from '../../compose/model.js';

export function dependencyLevels(project: Project): string[][] {
  const remaining = new Set(Object.keys(project.services));
  const placed = new Set<string>();
  const levels: string[][] = [];
  while (remaining.size > 0) {
    const level = [...remaining]
      .filter((name) => Object.keys(project.services[name]?.dependsOn ?? {}).every((dep) => placed.has(dep) || !remaining.has(dep)))
      .sort();
    // A cycle cannot reach here from a loaded project; break it rather than loop forever.
    const next = level.length > 0 ? level : [...remaining].sort();
    for (const name of next) {
      remaining.delete(name);
      placed.add(name);
    }
    levels.push(next);
  }
  return levels;
}
