// Pod-level settings and the service keys with no Kubernetes counterpart.
import { describe, expect, it } from 'vitest';
import type { Service } from '../../../src/compose/model.js';
import { serviceFixture } from '../../support/fixtures.js';
import { find, projectOf, run } from './support.js';

function pod(over: Partial<Service>) {
  const r = run(projectOf([serviceFixture('web', over)]));
  return { spec: find(r, 'Deployment', 'web').spec!.template.spec!, warnings: r.warningLines };
}

describe('pod settings', () => {
  it('isolates like a compose container: no API token, no service-link variables; the grace period carries over', () => {
    const { spec } = pod({ stopGracePeriodMs: 45_000 });
    expect(spec).toMatchObject({ automountServiceAccountToken: false, enableServiceLinks: false, terminationGracePeriodSeconds: 45 });
  });

  it('hostname, init, host namespaces and platform', () => {
    const { spec } = pod({ hostname: 'api-1', init: true, networkMode: 'host', networks: {}, pid: 'host', ipc: 'host', platform: 'linux/arm64/v8' });
    expect(spec).toMatchObject({
      hostname: 'api-1',
      shareProcessNamespace: true,
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      hostPID: true,
      hostIPC: true,
      nodeSelector: { 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux' },
    });
  });

  it('dns, dns_search and dns_opt become dnsConfig', () => {
    const { spec } = pod({ dns: ['1.1.1.1'], dnsSearch: ['corp.example'], dnsOpt: ['ndots:2', 'rotate'] });
    expect(spec.dnsConfig).toEqual({ nameservers: ['1.1.1.1'], searches: ['corp.example'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] });
  });

  it('extra_hosts become hostAliases grouped by address; host-gateway is a warning', () => {
    const { spec, warnings } = pod({ extraHosts: ['db.local:10.0.0.2', 'cache.local:10.0.0.2', 'v6.local:[::1]', 'host.docker.internal:host-gateway'] });
    expect(spec.hostAliases).toEqual([
      { ip: '10.0.0.2', hostnames: ['cache.local', 'db.local'] },
      { ip: '::1', hostnames: ['v6.local'] },
    ]);
    expect(warnings).toContain('services.web.extra_hosts: host.docker.internal:host-gateway is not carried over: pods have no single host to point at');
  });

  it('sysctls and numeric group_add go to the pod security context', () => {
    const { spec, warnings } = pod({ sysctls: { 'net.core.somaxconn': '1024' }, groupAdd: ['2000', 'audio'] });
    expect(spec.securityContext).toEqual({ supplementalGroups: [2000], sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] });
    expect(warnings).toContain('services.web.group_add: audio is not carried over: Kubernetes takes numeric group ids only');
  });
});

describe('keys that are not carried over', () => {
  it('each present key is a warning naming the service and key', () => {
    const { warnings } = pod({
      containerName: 'web-main',
      domainname: 'example.com',
      stopSignal: 'SIGQUIT',
      ulimits: { nofile: { soft: 1024, hard: 2048 } },
      devices: ['/dev/fuse:/dev/fuse:rwm'],
      runtime: 'runsc',
      logging: { driver: 'syslog', options: {} },
      networkMode: 'service:vpn',
      networks: {},
      hostname: 'Not_A_Label',
      pid: 'service:other',
      ipc: 'service:other',
    });
    expect(warnings).toEqual([
      'services.web.container_name: not carried over: pods are named by their workload',
      'services.web.devices: not carried over: use a device plugin',
      'services.web.domainname: not carried over: pods take the cluster domain',
      'services.web.hostname: not carried over: "Not_A_Label" is not a DNS label',
      'services.web.ipc: service:other is not carried over',
      'services.web.logging: not carried over: the cluster collects container output',
      'services.web.network_mode: service:vpn is not carried over; the pod gets its own network namespace',
      'services.web.pid: service:other is not carried over',
      'services.web.runtime: not carried over: choose a RuntimeClass (runtimeClassName) that the cluster defines',
      'services.web.stop_signal: not carried over: the container gets SIGTERM; handle it or use a preStop hook',
      'services.web.ulimits: not carried over: limits come from the node\'s container runtime',
    ]);
  });

  it('network aliases and fixed addresses, and separate networks, are warnings', () => {
    const project = projectOf([
      serviceFixture('web', { networks: { front: { aliases: ['www'], ipv4Address: '172.20.0.5', priority: 0 } } }),
      serviceFixture('db', { networks: { back: { aliases: [], priority: 0 } } }),
    ]);
    const r = run(project);
    expect(r.warningLines).toContain('services.web.networks.front.aliases: not carried over: only the service name resolves');
    expect(r.warningLines).toContain('services.web.networks.front.ipv4_address: not carried over: pods get addresses from the cluster');
    expect(r.warningLines).toContain('networks: not carried over: pods in a namespace all reach each other and the outside; add NetworkPolicies to separate them');
  });

  it('one shared network is no warning', () => {
    expect(run(projectOf([serviceFixture('a'), serviceFixture('b')])).warningLines).toEqual([]);
  });
});
