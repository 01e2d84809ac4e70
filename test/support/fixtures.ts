// Builders for model and engine values in unit tests: the defaults a loaded file would have.
import type { Network, Project, Service, Volume } from '../../src/compose/model.js';
import type { ContainerDetails, ContainerSummary } from '../../src/daemon/ports/runtime.js';
import { LABEL_CONFIG_HASH, LABEL_MANAGED, LABEL_NUMBER, LABEL_PROJECT, LABEL_SERVICE } from '../../src/daemon/core/labels.js';

export function serviceFixture(name: string, over: Partial<Service> = {}): Service {
  return {
    name,
    image: 'busybox:latest',
    pullPolicy: 'missing',
    environment: {},
    ports: [],
    expose: [],
    volumes: [],
    networks: { default: { aliases: [], priority: 0 } },
    dependsOn: {},
    restart: { condition: 'any', unlessStopped: false, delayMs: 100, maxDelayMs: 60_000, windowMs: 10_000 },
    replicas: 1,
    resources: { limits: {}, reservations: {} },
    updateConfig: { parallelism: 1, delayMs: 0, failureAction: 'rollback', monitorMs: 0 },
    labels: {},
    stopGracePeriodMs: 10_000,
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
    ...over,
  };
}

export function networkFixture(name: string, overrides: Partial<Network> = {}): Network {
  return { name, external: false, driverOpts: {}, internal: false, attachable: false, enableIpv6: false, labels: {}, ...overrides };
}

export function volumeFixture(name: string, overrides: Partial<Volume> = {}): Volume {
  return { name, external: false, driverOpts: {}, labels: {}, extensions: {}, ...overrides };
}

/** A project named `name` with a `<name>_default` network and the given services. */
export function projectFixture(name: string, services: Service[], overrides: Partial<Project> = {}): Project {
  return {
    name,
    workingDir: `/tmp/${name}`,
    configFiles: [`/tmp/${name}/compose.yaml`],
    dependencyFiles: [],
    profiles: [],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    disabledServices: [],
    networks: { default: networkFixture(`${name}_default`) },
    volumes: {},
    secrets: {},
    configs: {},
    extensions: {},
    ...overrides,
  };
}

export function containerFixture(
  project: string,
  service: string,
  number: number,
  over: Partial<ContainerSummary> & { hash?: string } = {},
): ContainerSummary {
  const { hash = 'h1', ...rest } = over;
  return {
    id: `${service}-${number}-id`,
    name: `${project}-${service}-${number}`,
    labels: {
      [LABEL_MANAGED]: 'true',
      [LABEL_PROJECT]: project,
      [LABEL_SERVICE]: service,
      [LABEL_NUMBER]: String(number),
      [LABEL_CONFIG_HASH]: hash,
    },
    state: 'running',
    health: 'none',
    imageId: 'sha256:busybox',
    createdAt: 1_000,
    addresses: {},
    ...rest,
  };
}

export function detailsFixture(summary: ContainerSummary, over: Partial<ContainerDetails> = {}): ContainerDetails {
  return {
    ...summary,
    exitCode: 0,
    oomKilled: false,
    startedAt: summary.createdAt,
    finishedAt: 0,
    healthLog: [],
    mounts: [],
    ...over,
  };
}
