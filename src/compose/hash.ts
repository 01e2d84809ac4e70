// The config hash of a service: what decides whether a running container still matches the file.
// Fields that the supervisor can change without recreating a container are left out, so editing
// replicas, restart or autoscale settings never restarts anything.
import { createHash } from 'node:crypto';
import type { Service } from './model.js';

/** Keys of Service that do not shape the container itself. */
export const HASH_EXCLUDED_FIELDS = ['build', 'composed', 'dependsOn', 'profiles', 'pullPolicy', 'replicas', 'restart', 'updateConfig'] as const;

export function serviceConfigHash(service: Service, extra: { imageId?: string } = {}): string {
  const kept: Record<string, unknown> = { ...service };
  for (const k of HASH_EXCLUDED_FIELDS) delete kept[k];
  if (extra.imageId !== undefined) kept.imageId = extra.imageId;
  return createHash('sha256').update(canonicalJson(kept)).digest('hex');
}

/** JSON with object keys sorted at every level and undefined members dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
