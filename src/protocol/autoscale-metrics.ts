// How an autoscaled service's metrics read in one line, the same in the CLI's table and the dashboard.
import type { AutoscaleStatus } from './api.js';

const UNITS: Record<AutoscaleStatus['metrics'][number]['metric'], string> = { cpu: '%', memory: '%', connections: '', requests: '/s' };

/** e.g. "cpu 45% (target 60%), connections ? (target 2)". */
export function autoscaleMetricsText(status: AutoscaleStatus): string {
  return status.metrics
    .map(({ metric, target, average }) => {
      const unit = UNITS[metric];
      const now = average === undefined ? '?' : `${Math.round(average * 10) / 10}${unit}`;
      return `${metric} ${now} (target ${target}${unit})`;
    })
    .join(', ');
}
