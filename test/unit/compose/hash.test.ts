import { describe, expect, it } from 'vitest';
import { serviceConfigHash } from '../../../src/compose/hash.js';
import type { Service } from '../../../src/compose/model.js';
import { service } from './helpers.js';

const base = service('image: web:1\nports: ["8080:80"]\nenvironment: {A: "1"}\ncommand: [serve]\nvolumes: [data:/data]', { top: 'volumes:\n  data:\n' });
const hash = serviceConfigHash(base);
const changed = (patch: Partial<Service>): string => serviceConfigHash({ ...base, ...patch });

describe('serviceConfigHash', () => {
  it('is a stable sha256 that does not depend on key order', () => {
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as unknown as Service;
    expect(serviceConfigHash(reordered)).toBe(hash);
  });

  it.each<[string, Partial<Service>]>([
    ['replicas', { replicas: 5 }],
    ['restart policy', { restart: { ...base.restart, condition: 'any', maxAttempts: 3 } }],
    ['x-composed', { composed: { autoscale: { min: 1, max: 4, cpu: { target: 50 }, intervalMs: 1, scaleUpStabilizationMs: 0, scaleDownStabilizationMs: 0 }, onUnhealthy: 'ignore', balance: false } }],
    ['update config', { updateConfig: { ...base.updateConfig, parallelism: 3, order: 'stop-first' } }],
    ['depends_on', { dependsOn: { db: { condition: 'service_healthy', restart: true, required: true } } }],
    ['profiles', { profiles: ['debug'] }],
    ['build', { build: { context: '/x', dockerfile: 'Dockerfile', args: {}, labels: {} } }],
    ['pull policy', { pullPolicy: 'always' }],
  ])('ignores %s', (_, patch) => {
    expect(changed(patch)).toBe(hash);
  });

  it.each<[string, Partial<Service>]>([
    ['environment', { environment: { A: '2' } }],
    ['command', { command: ['serve', '--debug'] }],
    ['image', { image: 'web:2' }],
    ['ports', { ports: [{ target: 80, published: '8081', protocol: 'tcp', mode: 'ingress' }] }],
    ['volumes', { volumes: [{ type: 'volume', source: 'data', target: '/other', readOnly: false, nocopy: false }] }],
    ['container name', { containerName: 'web' }],
  ])('changes with %s', (_, patch) => {
    expect(changed(patch)).not.toBe(hash);
  });

  it('includes the image id when given', () => {
    expect(serviceConfigHash(base, { imageId: 'sha256:a' })).not.toBe(hash);
    expect(serviceConfigHash(base, { imageId: 'sha256:a' })).not.toBe(serviceConfigHash(base, { imageId: 'sha256:b' }));
  });
});
