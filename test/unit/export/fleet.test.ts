// A host's worth of services (50: balanced and autoscaled web tiers, scaled workers, stores on
// named volumes), written as a compose file and loaded by the real loader: every manifest of its
// export passes the Kubernetes API schemas, and each service maps to what the guide says
// (docs/kubernetes-export.md, "Moving a host to a cluster").
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/compose/load.js';
import { exportKubernetes } from '../../../src/export/kubernetes/export.js';
import { validateManifest } from './support.js';

const TIERS = 10;

/** Per tier: a balanced autoscaled web on its own host port, an api, two workers and a store with a volume. */
function fleetCompose(): string {
  const lines = ['name: fleet', 'services:'];
  const volumes: string[] = [];
  for (let t = 1; t <= TIERS; t++) {
    lines.push(
      `  web${t}:`, '    restart: always', '    image: registry.example.com/fleet/web:1', `    ports: ["${8000 + t}:8000"]`,
      '    healthcheck: { test: ["CMD", "true"], interval: 5s }',
      '    deploy: { resources: { limits: { cpus: "0.25", memory: 128M } } }',
      '    x-composed: { balance: true, autoscale: { min: 2, max: 8, cpu: { target: 60 } } }',
      `  api${t}:`, '    restart: always', '    image: registry.example.com/fleet/api:1', '    expose: ["9000"]', `    depends_on: { store${t}: { condition: service_healthy } }`,
      `  worker${t}a:`, '    restart: always', '    image: registry.example.com/fleet/worker:1', '    deploy: { replicas: 20 }',
      `  worker${t}b:`, '    restart: always', '    image: registry.example.com/fleet/worker:1', '    deploy: { replicas: 20 }',
      `  store${t}:`, '    restart: always', '    image: postgres:16', '    expose: ["5432"]', `    volumes: ["data${t}:/var/lib/postgresql/data"]`,
      '    healthcheck: { test: ["CMD", "pg_isready"], interval: 10s }',
    );
    volumes.push(`  data${t}:`);
  }
  return [...lines, 'volumes:', ...volumes].join('\n') + '\n';
}

describe('export kubernetes of a 50-service host', () => {
  it('validates every manifest and maps volumes to claims, ports to Services, autoscale to HPAs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'composed-fleet-'));
    const file = join(dir, 'compose.yaml');
    await writeFile(file, fleetCompose());
    const { project } = await loadProject({ files: [file], cwd: dir, env: {} });
    expect(Object.keys(project.services)).toHaveLength(TIERS * 5);
    const { manifests } = exportKubernetes({ project, options: { allowHostPath: false, expose: 'loadbalancer' }, readFile: (p) => (existsSync(p) ? readFileSync(p) : undefined), env: {} });
    for (const m of manifests) validateManifest(m);
    const named = (kind: string) => manifests.filter((m) => m.kind === kind).map((m) => m.metadata?.name ?? '').sort();
    expect(named('Job')).toEqual([]);
    expect([...named('Deployment'), ...named('StatefulSet')]).toHaveLength(TIERS * 5);
    expect(named('PersistentVolumeClaim')).toEqual(Array.from({ length: TIERS }, (_, i) => `data${i + 1}`).sort());
    expect(named('HorizontalPodAutoscaler')).toEqual(Array.from({ length: TIERS }, (_, i) => `web${i + 1}`).sort());
    const publicServices = manifests.filter((m) => m.kind === 'Service' && m.spec?.type === 'LoadBalancer');
    expect(publicServices).toHaveLength(TIERS);
    // One Service per compose service: every name resolves in the cluster as on the compose network.
    expect(named('Service').filter((n) => !n.endsWith('-public'))).toHaveLength(TIERS * 5);
    const workers = manifests.filter((m) => m.kind === 'Deployment' && (m.metadata?.name ?? '').startsWith('worker'));
    expect(workers.map((m) => (m.kind === 'Deployment' ? m.spec?.replicas : undefined))).toEqual(Array(TIERS * 2).fill(20));
  });
});
