// Manifests as YAML: one multi-document stream, or one file per object.
import { stringify } from 'yaml';
import type { Manifest } from './manifest.js';

/**
 * YAML 1.1 quoting, because kubectl reads YAML 1.1: there an unquoted `yes`, `on` or `no` is a
 * boolean, and an environment value must stay a string. No anchors: each object is written out.
 */
export function manifestYaml(m: Manifest): string {
  return stringify(m, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}

export function manifestsYaml(list: Manifest[]): string {
  return list.map((m) => `---\n${manifestYaml(m)}`).join('');
}

/** `<name>-<kind>.yaml`, unique because a name is unique within its kind. */
export function manifestFileName(m: Manifest): string {
  return `${m.metadata?.name ?? 'unnamed'}-${m.kind.toLowerCase()}.yaml`;
}
