// What a service's worker aims for: the file's config with the operator's scale, stop, restart
// and a paused roll-out applied (state/project-registry.ts builds it from a project record).
import type { Service } from '../../compose/model.js';
import type { CanaryWatch } from './canary.js';

export interface ServiceIntent {
  service: Service;
  configHash: string;
  /** Replica count wanted now (file, `composed scale` or the autoscaler). */
  replicas: number;
  /** `composed stop`: containers are stopped and left stopped. */
  stopped: boolean;
  /** `composed restart`: containers created before this time (epoch ms) are replaced. */
  restartRequestedAt?: number;
  /** `composed stop -t` / `restart -t`: the seconds those stops allow, over stop_grace_period. */
  stopTimeoutSeconds?: number;
  /** `up --no-start`: missing replicas are created and nothing is started, until `composed start`. */
  createOnly?: boolean;
  /** A roll-out failed with failure_action pause: no further replica is updated. */
  rolloutPaused: boolean;
  /** The canary the roll-out under way is watched with (core/canary.ts canaryOf). */
  canary?: CanaryWatch;
}
