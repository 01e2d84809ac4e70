// Wire type of a preview: what loading the files would do, nothing done (`up --dry-run`, `diff`).

/** POST /v1/preview[?reload=1] with a LoadRequest body: `up`'s decisions, or with reload the file watcher's. */
export interface PreviewResponse {
  project: string;
  /** Whether the daemon supervises the project now. */
  supervised: boolean;
  /** Whether anything would change (the CLI exits 1 when so, like `diff`). */
  changes: boolean;
  /** Networks and volumes to create, one printed operation a line. */
  prepare: string[];
  services: Array<{
    service: string;
    change: 'new' | 'changed' | 'removed' | 'scaled' | 'unchanged';
    /** Keys of the normalized service that differ from the running config. */
    changedKeys: string[];
    /** The plan's operations for its replicas, printed (`create-surge web#1 (config changed: ...)`). */
    operations: string[];
  }>;
}
