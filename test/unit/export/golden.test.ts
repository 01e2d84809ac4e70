// The export of whole compose files, loaded by the real loader: every manifest passes the
// Kubernetes API schemas, and the YAML and the warnings match the golden files.
// UPDATE_GOLDEN=1 npx vitest run test/unit/export rewrites the golden files.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/compose/load.js';
import { exportKubernetes } from '../../../src/export/kubernetes/export.js';
import type { ExportOptions } from '../../../src/export/kubernetes/options.js';
import { formatWarning } from '../../../src/export/kubernetes/warnings.js';
import { manifestsYaml } from '../../../src/export/kubernetes/yaml.js';
import { validateManifest } from './support.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/export');

interface Case {
  name: string;
  file: string;
  options?: Partial<ExportOptions>;
  env?: Record<string, string>;
}

const CASES: Case[] = [
  { name: 'examples', file: join(ROOT, 'examples/compose.yaml') },
  { name: 'shop', file: join(FIXTURES, 'shop/compose.yaml') },
  { name: 'shop-exposed', file: join(FIXTURES, 'shop/compose.yaml'), options: { namespace: 'shop-prod', expose: 'loadbalancer' } },
  { name: 'blog', file: join(FIXTURES, 'blog/compose.yaml'), options: { expose: 'nodeport' } },
  { name: 'blog-hostpath', file: join(FIXTURES, 'blog/compose.yaml'), options: { allowHostPath: true } },
  { name: 'pipeline', file: join(FIXTURES, 'pipeline/compose.yaml'), env: { WAREHOUSE_PASSWORD: 'example-only' } },
  { name: 'host', file: join(FIXTURES, 'host/compose.yaml'), options: { namespace: 'host', expose: 'loadbalancer' } },
];

describe('export kubernetes golden files', () => {
  for (const c of CASES) {
    it(`${c.name}: manifests validate and match ${c.name}.yaml`, async () => {
      const env = c.env ?? {};
      const { project } = await loadProject({ files: [c.file], cwd: dirname(c.file), env });
      const result = exportKubernetes({
        project,
        options: { allowHostPath: false, ...c.options },
        readFile: (p) => (existsSync(p) ? readFileSync(p) : undefined),
        env,
      });
      for (const m of result.manifests) validateManifest(m);
      // The project directory differs between checkouts; the golden files name it PROJECT.
      const yaml = manifestsYaml(result.manifests).replaceAll(project.workingDir, 'PROJECT');
      const warnings = result.warnings.map((w) => `${formatWarning(w)}\n`).join('').replaceAll(project.workingDir, 'PROJECT');
      expectGolden(join(FIXTURES, 'golden', `${c.name}.yaml`), yaml);
      expectGolden(join(FIXTURES, 'golden', `${c.name}.warnings.txt`), warnings);
    });
  }
});

function expectGolden(path: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; run UPDATE_GOLDEN=1 npx vitest run test/unit/export`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
