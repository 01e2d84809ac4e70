// Named volumes -> PersistentVolumeClaims (or a StatefulSet's claim templates).
import type { Volume } from '../../compose/model.js';
import { parseBytes } from '../../compose/units.js';
import { projectMeta, type ExportContext } from './context.js';
import type { PersistentVolumeClaim } from './manifest.js';
import { splitLabels } from './labels.js';
import { bytesQuantity } from './quantity.js';

/** What a claim asks for when the volume does not say (`x-composed.volume_size`). */
const DEFAULT_VOLUME_SIZE = '1Gi';

type ClaimSpec = NonNullable<PersistentVolumeClaim['spec']>;

/**
 * A top-level volume with its `x-*` keys. The loader does not keep them on volumes yet; once
 * model.Volume carries `extensions` (as services and the project do), sizes are read from it.
 */
type VolumeWithExtensions = Volume & { extensions?: Record<string, unknown> };

export function claimSpec(ctx: ExportContext, key: string): ClaimSpec {
  return {
    // One node at a time, as a Docker volume lives on one host.
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: volumeSize(ctx, key) } },
  };
}

function volumeSize(ctx: ExportContext, key: string): string {
  const volume = ctx.project.volumes[key] as VolumeWithExtensions | undefined;
  const ext = volume?.extensions?.['x-composed'];
  const raw = ext !== null && typeof ext === 'object' ? (ext as Record<string, unknown>).volume_size : undefined;
  if (raw === undefined) return DEFAULT_VOLUME_SIZE;
  const bytes = typeof raw === 'string' || typeof raw === 'number' ? parseBytes(raw) : undefined;
  if (bytes === undefined || bytes <= 0) {
    ctx.warnings.add(`volumes.${key}.x-composed.volume_size`, `${JSON.stringify(raw)} is not a size; the claim asks for ${DEFAULT_VOLUME_SIZE}`);
    return DEFAULT_VOLUME_SIZE;
  }
  return bytesQuantity(bytes);
}

export function persistentVolumeClaim(ctx: ExportContext, key: string): PersistentVolumeClaim {
  const volume = ctx.project.volumes[key]!;
  if (volume.driver !== undefined && volume.driver !== 'local') {
    ctx.warnings.add(`volumes.${key}.driver`, 'not carried over: the claim uses the cluster\'s default storage class');
  }
  if (Object.keys(volume.driverOpts).length > 0) {
    ctx.warnings.add(`volumes.${key}.driver_opts`, 'not carried over: the claim uses the cluster\'s default storage class');
  }
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: projectMeta(ctx, ctx.names.volumes.get(key), splitLabels(ctx, volume.labels, `volumes.${key}.labels`)),
    spec: claimSpec(ctx, key),
  };
}
