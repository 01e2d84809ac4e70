// Which engine the tests talk to (DOCKER_HOST decides), so a test can say what an engine cannot do.
import { dockerForTests } from '../support/engine.js';

export type EngineKind = 'docker' | 'podman';

/** Podman's /version lists a "Podman Engine" component; Docker's lists "Engine". */
export async function engineKind(): Promise<EngineKind> {
  const version = (await dockerForTests().version()) as { Components?: Array<{ Name?: string }> };
  return (version.Components ?? []).some((c) => /podman/i.test(c.Name ?? '')) ? 'podman' : 'docker';
}
