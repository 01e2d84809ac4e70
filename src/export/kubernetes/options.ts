// What the caller chooses, and what the export may read besides the Project.
import type { Project } from '../../compose/model.js';

export type Expose = 'loadbalancer' | 'nodeport';

export interface ExportOptions {
  /** Set on every object; undefined leaves it to kubectl's current namespace. */
  namespace?: string;
  /** Make published ports reachable from outside the cluster through a second Service. */
  expose?: Expose;
  /** Carry bind mounts over as hostPath volumes instead of only warning about them. */
  allowHostPath: boolean;
}

export interface ExportInput {
  project: Project;
  options: ExportOptions;
  /** Content of a file the project names (config and secret files); undefined when unreadable. */
  readFile: (path: string) => Buffer | undefined;
  /** The environment `environment:`-sourced configs and secrets are read from. */
  env: Record<string, string | undefined>;
}
