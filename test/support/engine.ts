// Helpers for tests against the real engine: the adapter built from the environment, unique
// project names, cleanup by label, and a describe that skips when no engine answers.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { describe } from 'vitest';
import { createDockerClient } from '../../src/daemon/docker/client.js';
import { DockerRuntime } from '../../src/daemon/docker/runtime.js';
import { LABEL_PROJECT } from '../../src/daemon/core/labels.js';
import type { Network, Project, Service, Volume } from '../../src/compose/model.js';

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

/** Removes every container (forced), network and volume labelled with the project. Safe when none exist. */
export async function cleanupProject(name: string, docker: Docker = dockerForTests()): Promise<void> {
  const filters = { label: [`${LABEL_PROJECT}=${name}`] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => ignoreMissing(docker.getContainer(c.Id).remove({ force: true, v: false }))));
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => ignoreMissing(docker.getNetwork(n.Id).remove())));
  const { Volumes } = await docker.listVolumes({ filters });
  await Promise.all((Volumes ?? []).map((v) => ignoreMissing(docker.getVolume(v.Name).remove())));
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

/** A normalized service with compose's defaults, on the project's default network. */
export function serviceForTests(name: string, overrides: Partial<Service> = {}): Service {
  return {
    name,
    image: TEST_IMAGE,
    pullPolicy: 'missing',
    environment: {},
    ports: [],
    expose: [],
    volumes: [],
    networks: { default: { aliases: [], priority: 0 } },
    dependsOn: {},
    restart: { condition: 'none', unlessStopped: false, delayMs: 100, maxDelayMs: 60_000, windowMs: 10_000 },
    replicas: 1,
    resources: { limits: {}, reservations: {} },
    updateConfig: { parallelism: 1, delayMs: 0, failureAction: 'rollback', monitorMs: 0, maxFailureRatio: 0 },
    labels: {},
    stopGracePeriodMs: 2_000,
    capAdd: [],
    capDrop: [],
    readOnly: false,
    privileged: false,
    tty: false,
    stdinOpen: false,
    tmpfs: [],
    ulimits: {},
    extraHosts: [],
    dns: [],
    dnsSearch: [],
    dnsOpt: [],
    sysctls: {},
    securityOpt: [],
    devices: [],
    groupAdd: [],
    secrets: [],
    configs: [],
    profiles: [],
    composed: { onUnhealthy: 'replace', balance: true },
    extensions: {},
    ...overrides,
  };
}

export function networkForTests(name: string, overrides: Partial<Network> = {}): Network {
  return { name, external: false, driverOpts: {}, internal: false, attachable: false, enableIpv6: false, labels: {}, ...overrides };
}

export function volumeForTests(name: string, overrides: Partial<Volume> = {}): Volume {
  return { name, external: false, driverOpts: {}, labels: {}, ...overrides };
}

/** A project named `name` with a `<name>_default` network and the given services. */
export function projectForTests(name: string, services: Service[], overrides: Partial<Project> = {}): Project {
  return {
    name,
    workingDir: `/tmp/${name}`,
    configFiles: [`/tmp/${name}/compose.yaml`],
    dependencyFiles: [],
    profiles: [],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    disabledServices: [],
    networks: { default: networkForTests(`${name}_default`) },
    volumes: {},
    secrets: {},
    configs: {},
    extensions: {},
    ...overrides,
  };
}
