import { describe, expect, it } from 'vitest';
import { parsePortSpec } from '../../../src/compose/ports.js';
import { errors, service } from './helpers.js';

const ports = (spec: string): unknown => {
  const r = parsePortSpec(spec);
  if (!r.ok) throw new Error(r.error);
  return r.ports;
};

describe('port short syntax', () => {
  it.each([
    ['80', [{ target: 80, protocol: 'tcp', mode: 'ingress' }]],
    ['8080:80', [{ target: 80, published: '8080', protocol: 'tcp', mode: 'ingress' }]],
    ['127.0.0.1:8080:80/udp', [{ target: 80, published: '8080', hostIp: '127.0.0.1', protocol: 'udp', mode: 'ingress' }]],
    ['127.0.0.1::80', [{ target: 80, hostIp: '127.0.0.1', protocol: 'tcp', mode: 'ingress' }]],
    ['[::1]:8080:80', [{ target: 80, published: '8080', hostIp: '::1', protocol: 'tcp', mode: 'ingress' }]],
    ['8000-8002:80', [{ target: 80, published: '8000-8002', protocol: 'tcp', mode: 'ingress' }]],
    ['9000-9001:9000-9001', [
      { target: 9000, published: '9000', protocol: 'tcp', mode: 'ingress' },
      { target: 9001, published: '9001', protocol: 'tcp', mode: 'ingress' },
    ]],
    ['3000-3001', [{ target: 3000, protocol: 'tcp', mode: 'ingress' }, { target: 3001, protocol: 'tcp', mode: 'ingress' }]],
    ['53:53/SCTP', [{ target: 53, published: '53', protocol: 'sctp', mode: 'ingress' }]],
  ])('%s', (spec, expected) => {
    expect(ports(spec)).toEqual(expected);
  });

  it.each([
    ['80:80:80', '"80:80:80" is not a port mapping (expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL])'],
    ['', '"" is not a port mapping (expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]): no port specified'],
    ['80/xyz', '"80/xyz" is not a port mapping (expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]): unknown protocol "xyz"'],
    ['99999', '"99999" is not a port mapping (expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]): invalid container port "99999"'],
    ['127.0.1:80:80', '"127.0.1:80:80" is not a port mapping (expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]): "127.0.1" is not an IP address'],
    ['80-81:90-92', '"80-81:90-92" is not a port mapping (expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]): host range 80-81 and container range 90-92 differ in length'],
  ])('%j is rejected', (spec, message) => {
    expect(parsePortSpec(spec)).toEqual({ ok: false, error: message });
  });
});

describe('ports in a service', () => {
  it('reads numbers, short and long syntax', () => {
    expect(service('image: x\nports:\n  - 80\n  - "8080:81"\n  - target: 82\n    published: 8082\n    protocol: udp\n    host_ip: 127.0.0.1\n    mode: host\n    name: web\n    app_protocol: http\n').ports).toEqual([
      { target: 80, protocol: 'tcp', mode: 'ingress' },
      { target: 81, published: '8080', protocol: 'tcp', mode: 'ingress' },
      { target: 82, published: '8082', hostIp: '127.0.0.1', protocol: 'udp', mode: 'host', name: 'web', appProtocol: 'http' },
    ]);
  });

  it('merges a repeated mapping into one', () => {
    expect(service('image: x\nports: ["8080:80", "8080:80", "80"]').ports).toHaveLength(2);
  });

  it('reads expose', () => {
    expect(service('image: x\nexpose: [3000, "4000-4001", "53/udp"]').expose).toEqual(['3000', '4000-4001', '53/udp']);
  });

  it('rejects a long mapping without a target', () => {
    expect(errors('services:\n  s:\n    image: x\n    ports:\n      - published: 80\n')).toEqual([
      'compose.yaml:5:9 services.s.ports[0]: a port mapping needs a target (the container port)',
    ]);
  });
});
