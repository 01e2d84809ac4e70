// The engine's image store for tag following: RepoDigests and removing an old digest's reference.
import type Docker from 'dockerode';
import type { ImageStore } from '../ports/image-store.js';
import { classify, isNotFound } from './errors.js';

export class DockerImageStore implements ImageStore {
  constructor(private readonly docker: Docker) {}

  async repoDigests(ref: string): Promise<string[] | undefined> {
    try {
      return (await this.docker.getImage(ref).inspect()).RepoDigests ?? [];
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw classify(error, `inspect image ${ref}`);
    }
  }

  async removeReference(ref: string): Promise<'removed' | 'in-use' | 'absent'> {
    try {
      // No force: docker 20.10 answers 409 "image is being used by stopped container …" for an image any container has.
      await this.docker.getImage(ref).remove({ noprune: false });
      return 'removed';
    } catch (error) {
      if (isNotFound(error)) return 'absent';
      if ((error as { statusCode?: number }).statusCode === 409) return 'in-use';
      throw classify(error, `remove image ${ref}`);
    }
  }
}
