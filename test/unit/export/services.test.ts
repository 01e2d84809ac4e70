// ports and expose -> Services; the compose service name stays the DNS name.
import { describe, expect, it } from 'vitest';
import type { PortMapping, Service } from '../../../src/compose/model.js';
import { serviceFixture } from '../../support/fixtures.js';
import { find, projectOf, run, type RunOptions } from './support.js';

const port = (target: number, over: Partial<PortMapping> = {}): PortMapping => ({ target, protocol: 'tcp', mode: 'ingress', ...over });

function exported(over: Partial<Service>, opts: RunOptions = {}, others: Service[] = []) {
  return run(projectOf([serviceFixture('web', over), ...others]), opts);
}

describe('the cluster-internal Service', () => {
  it('carries container ports from ports and expose, named by protocol and port, sorted', () => {
    const r = exported({ ports: [port(80, { published: '8080' })], expose: ['9000-9001', '53/udp'] });
    const svc = find(r, 'Service', 'web');
    expect(svc.spec?.type).toBe('ClusterIP');
    expect(svc.spec?.ports).toEqual([
      { name: 'udp-53', port: 53, targetPort: 53, protocol: 'UDP' },
      { name: 'tcp-80', port: 80, targetPort: 80, protocol: 'TCP' },
      { name: 'tcp-9000', port: 9000, targetPort: 9000, protocol: 'TCP' },
      { name: 'tcp-9001', port: 9001, targetPort: 9001, protocol: 'TCP' },
    ]);
    expect(find(r, 'Deployment', 'web').spec?.template.spec?.containers[0]?.ports).toContainEqual({ name: 'tcp-80', containerPort: 80, protocol: 'TCP' });
  });

  it('keeps a long-syntax port name and app_protocol', () => {
    const r = exported({ ports: [port(443, { name: 'https', appProtocol: 'https' })] });
    expect(find(r, 'Service', 'web').spec?.ports).toEqual([{ name: 'https', port: 443, targetPort: 443, protocol: 'TCP', appProtocol: 'https' }]);
  });

  it('a service without ports gets a headless Service, so its name resolves and every port answers', () => {
    const svc = find(exported({}), 'Service', 'web');
    expect(svc.spec).toEqual({ clusterIP: 'None', selector: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'proj' } });
  });

  it('published ports without --expose stay inside the cluster, with a warning', () => {
    const r = exported({ ports: [port(80, { published: '8080' })] });
    expect(r.manifests.filter((m) => m.kind === 'Service')).toHaveLength(1);
    expect(r.warningLines).toContain('services.web.ports: published ports are reachable inside the cluster only (as web:PORT); use --expose, an Ingress, or kubectl port-forward');
  });
});

describe('--expose', () => {
  it('loadbalancer: a web-public Service on the published ports, targeting the container ports', () => {
    const r = exported({ ports: [port(80, { published: '8080' }), port(443, { published: '8443' }), port(9000)] }, { expose: 'loadbalancer' });
    const pub = find(r, 'Service', 'web-public');
    expect(pub.spec?.type).toBe('LoadBalancer');
    expect(pub.spec?.selector).toEqual(find(r, 'Service', 'web').spec?.selector);
    expect(pub.spec?.ports).toEqual([
      { name: 'tcp-8080', port: 8080, targetPort: 80, protocol: 'TCP' },
      { name: 'tcp-8443', port: 8443, targetPort: 443, protocol: 'TCP' },
      // An ephemeral host port is published on the container's port number.
      { name: 'tcp-9000', port: 9000, targetPort: 9000, protocol: 'TCP' },
    ]);
    expect(find(r, 'Service', 'web').spec?.type).toBe('ClusterIP');
  });

  it('nodeport: the host port is the node port when it is in the NodePort range', () => {
    const r = exported({ ports: [port(80, { published: '30080' }), port(443, { published: '443' })] }, { expose: 'nodeport' });
    const pub = find(r, 'Service', 'web-public');
    expect(pub.spec?.type).toBe('NodePort');
    expect(pub.spec?.ports).toEqual([
      { name: 'tcp-443', port: 443, targetPort: 443, protocol: 'TCP' },
      { name: 'tcp-30080', port: 30080, targetPort: 80, protocol: 'TCP', nodePort: 30080 },
    ]);
    expect(r.warningLines).toContain('services.web.ports: host port 443 is outside the NodePort range 30000-32767; the cluster picks the node port');
  });

  it('ports published on loopback only stay inside the cluster', () => {
    const r = exported({ ports: [port(6379, { published: '6379', hostIp: '127.0.0.1' })] }, { expose: 'loadbalancer' });
    expect(r.manifests.some((m) => m.metadata?.name === 'web-public')).toBe(false);
    expect(r.warningLines).toContain('services.web.ports: 127.0.0.1:6379:6379 is published on the loopback address only; kept inside the cluster (use kubectl port-forward)');
  });

  it('another host address and a host port range are warnings', () => {
    const r = exported({ ports: [port(80, { published: '8000-8010', hostIp: '10.0.0.5' })] }, { expose: 'loadbalancer' });
    expect(find(r, 'Service', 'web-public').spec?.ports).toEqual([{ name: 'tcp-8000', port: 8000, targetPort: 80, protocol: 'TCP' }]);
    expect(r.warningLines).toContain('services.web.ports: the host address of 10.0.0.5:8000-8010:80 is not carried over; the Service listens on all of its addresses');
    expect(r.warningLines).toContain('services.web.ports: host port range 8000-8010 is not carried over; the Service uses port 8000');
  });

  it('the public name does not collide with a service already called so', () => {
    const r = exported({ ports: [port(80, { published: '80' })] }, { expose: 'loadbalancer' }, [serviceFixture('web-public')]);
    expect(find(r, 'Service', 'web-public-2').spec?.type).toBe('LoadBalancer');
    expect(find(r, 'Service', 'web-public').spec?.clusterIP).toBe('None');
  });
});
