// Helpers for tests against the real engine: the adapter built from the environment, unique
// project names, cleanup by label, and a describe that skips when no engine answers.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { describe } from 'vitest';
import { createDockerClient } from '../../src/daemon/docker/client.js';
import { removeNetworkNamed } from '../../src/daemon/docker/resources.js';
import { DockerRuntime } from '../../src/daemon/docker/runtime.js';
import { LABEL_PROJECT } from '../../src/daemon/core/labels.js';
import type { Service } from '../../src/compose/model.js';
import { serviceFixture } from './fixtures.js';

export const TEST_IMAGE = process.env['COMPOSED_TEST_IMAGE'] ?? 'busybox:latest';

export function runtimeForTests(): DockerRuntime {
  return DockerRuntime.fromEnv(process.env);
}

/** A raw engine client, for tests that play "someone else" (docker kill, docker rm -f). */
export function dockerForTests(): Docker {
  return createDockerClient(process.env);
}

/** `t-<prefix>-<random6>`, lowercase [a-z0-9-], valid as a compose project name. */
export function uniqueProjectName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
  return `t-${clean}-${randomBytes(3).toString('hex')}`;
}

/**
 * Removes every container (forced), network and volume labelled with the project. Safe when none
 * exist. A container the engine refuses to remove (after a dockerd crash it can keep one for good:
 * src/daemon/core/stuck-removal.ts) is left with a warning, as `composed down` leaves it.
 */
export async function cleanupProject(name: string, docker: Docker = dockerForTests()): Promise<void> {
  const filters = { label: [`${LABEL_PROJECT}=${name}`] };
  // The filter only narrows (Podman 4.3.1 ORs label filters): each object's own label decides, so a
  // cleanup never removes another run's containers, networks or volumes on a shared engine.
  const ours = (labels: Record<string, string> | null | undefined) => labels?.[LABEL_PROJECT] === name;
  const containers = (await docker.listContainers({ all: true, filters })).filter((c) => ours(c.Labels));
  await Promise.all(
    containers.map(async (c) => {
      try {
        // A forced removal is a SIGKILL on Docker; Podman 4.3.1 first sends SIGTERM and waits the
        // container's StopTimeout (10.5 s for a pid 1 `sleep`), so kill it first, as the adapter
        // does. A container that is not running refuses the kill; the removal below still decides.
        await docker.getContainer(c.Id).kill().catch(() => undefined);
        await ignoreMissing(docker.getContainer(c.Id).remove({ force: true, v: false }));
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 500) throw error;
        console.warn(`cleanup of ${name}: the engine cannot remove ${c.Names[0] ?? c.Id}: ${String((error as Error).message)}`);
      }
    }),
  );
  const networks = (await docker.listNetworks({ filters })).filter((n) => ours(n.Labels));
  for (const n of networks) {
    const left = await removeNetworkNamed(docker, n.Id);
    if (left) console.warn(`cleanup of ${name}: network ${n.Name} ${left}`);
  }
  const { Volumes } = await docker.listVolumes({ filters });
  await Promise.all((Volumes ?? []).filter((v) => ours(v.Labels)).map((v) => ignoreMissing(docker.getVolume(v.Name).remove())));
}

async function ignoreMissing(operation: Promise<unknown>): Promise<void> {
  try {
    await operation;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    const message = String((error as { message?: string }).message ?? '');
    // 404: gone already; 409 on a container: another cleanup's removal is in progress.
    if (status === 404 || (status === 409 && /already in progress/i.test(message))) return;
    throw error;
  }
}

async function engineAnswers(): Promise<string | undefined> {
  try {
    await Promise.race([
      dockerForTests().ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5_000).unref()),
    ]);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const unreachable = await engineAnswers();
if (unreachable) {
  console.warn(`Docker engine tests skipped: no engine answers (${unreachable}); run scripts/setup-engine.sh`);
}

/** `describe` that skips, saying why, when no engine answers. */
export const describeWithEngine: typeof describe = unreachable ? (describe.skip as typeof describe) : describe;

/** A service for engine tests: the test image, restart "no", a short stop grace period. */
export function serviceForTests(name: string, overrides: Partial<Service> = {}): Service {
  return serviceFixture(name, {
    image: TEST_IMAGE,
    restart: { condition: 'none', unlessStopped: false, delayMs: 100, maxDelayMs: 60_000, windowMs: 10_000 },
    stopGracePeriodMs: 2_000,
    ...overrides,
  });
}
