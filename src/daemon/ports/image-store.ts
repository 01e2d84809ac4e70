// What following an image tag needs of the engine's image store, in our own types.

export interface ImageStore {
  /** The image's RepoDigests (`repo@sha256:…`), or undefined when no image has that reference. */
  repoDigests(ref: string): Promise<string[] | undefined>;
  /**
   * Removes one reference (`repo@sha256:…`); the image goes with its last reference. An image a
   * container still uses (even a stopped one) is kept: the engine refuses, and that is the answer.
   */
  removeReference(ref: string): Promise<'removed' | 'in-use' | 'absent'>;
}
