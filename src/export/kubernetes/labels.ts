// Compose labels -> Kubernetes labels where the value is a valid label value, else annotations
// (which take any text, e.g. a traefik rule). A key Kubernetes cannot take at all is a warning.
import type { ExportContext } from './context.js';
import { isLabelKey, isLabelValue } from './names.js';

export interface Metadata {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** `path` names the compose key for warnings, e.g. `services.web.labels`. */
export function splitLabels(ctx: ExportContext, labels: Record<string, string>, path: string): Metadata {
  const out: Metadata = { labels: {}, annotations: {} };
  for (const key of Object.keys(labels).sort()) {
    const value = labels[key]!;
    if (!isLabelKey(key)) {
      ctx.warnings.add(`${path}.${key}`, 'not carried over: not a valid Kubernetes label or annotation key');
      continue;
    }
    if (isLabelValue(value)) out.labels[key] = value;
    else out.annotations[key] = value;
  }
  return out;
}
