import { describe, expect, it } from 'vitest';
import { balancedPorts } from '../../../src/compose/balanced-ports.js';
import type { PortMapping } from '../../../src/compose/model.js';
import { replicaSpec } from '../../../src/daemon/docker/spec.js';
import { projectFixture, serviceFixture } from '../../support/fixtures.js';

const port = (published: string | undefined, protocol: PortMapping['protocol'] = 'tcp'): PortMapping => ({ target: 80, published, protocol, mode: 'ingress', hostIp: '127.0.0.1' });

describe('which ports the built-in balancer publishes', () => {
  it.each([
    ['one replica: Docker publishes', { replicas: 1 }, [port('8080')], []],
    ['three replicas, fixed TCP port: balanced', { replicas: 3 }, [port('8080')], ['8080']],
    ['autoscale max 4: balanced', { replicas: 1, composed: { onUnhealthy: 'replace' as const, balance: true, autoscale: { min: 1, max: 4, cpu: { target: 50 }, intervalMs: 5000, scaleUpStabilizationMs: 0, scaleDownStabilizationMs: 60000 } } }, [port('8080')], ['8080']],
    ['balance: false keeps Docker', { replicas: 3, composed: { onUnhealthy: 'replace' as const, balance: false } }, [port('8080')], []],
    ['UDP is never balanced', { replicas: 3 }, [port('53', 'udp')], []],
    ['ephemeral and ranges stay with Docker', { replicas: 3 }, [port(undefined), port('9000-9009')], []],
  ])('%s', (_name, over, ports, expected) => {
    expect(balancedPorts(serviceFixture('web', { ...over, ports })).map((p) => p.published)).toEqual(expected);
  });

  it('a balanced port is exposed by the replicas but not bound on the host', () => {
    const service = serviceFixture('web', { replicas: 3, ports: [port('8080'), port(undefined)] });
    const spec = replicaSpec({ project: projectFixture('shop', [service]), service, number: 1, name: 'shop-web-1', configHash: 'h' });
    expect(spec.create.ExposedPorts).toEqual({ '80/tcp': {} });
    expect(spec.create.HostConfig?.PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  });
});
