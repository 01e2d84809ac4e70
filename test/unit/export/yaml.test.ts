// Output: apply order, YAML kubectl reads the same way, file names for -o.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { sortManifests, type Manifest } from '../../../src/export/kubernetes/manifest.js';
import { manifestFileName, manifestsYaml } from '../../../src/export/kubernetes/yaml.js';
import { serviceFixture } from '../../support/fixtures.js';
import { projectOf, run } from './support.js';

describe('YAML output', () => {
  it('quotes strings YAML 1.1 would read as booleans or numbers', () => {
    const r = run(projectOf([serviceFixture('web', { environment: { A: 'yes', B: 'on', C: 'no', D: '0755', E: '1.0' } })]));
    const yaml = manifestsYaml(r.manifests);
    for (const v of ['"yes"', '"on"', '"no"', '"0755"', '"1.0"']) expect(yaml).toContain(`value: ${v}`);
    const docs = parseAllDocuments(yaml, { version: '1.1' }).map((d) => d.toJS());
    expect(JSON.stringify(docs)).toContain('{"name":"A","value":"yes"}');
  });

  it('is one document per object, each introduced by ---, without anchors', () => {
    const r = run(projectOf([serviceFixture('web', { healthcheck: { test: ['CMD', 'true'] } })]));
    const yaml = manifestsYaml(r.manifests);
    expect(yaml.split('\n').filter((l) => l === '---')).toHaveLength(r.manifests.length);
    expect(yaml).not.toMatch(/[&*]a\d/);
  });

  it('sorts by kind in apply order, then by name', () => {
    const m = (kind: Manifest['kind'], name: string) => ({ kind, metadata: { name } }) as Manifest;
    const sorted = sortManifests([m('HorizontalPodAutoscaler', 'a'), m('Deployment', 'b'), m('Service', 'b'), m('Deployment', 'a'), m('Secret', 'z'), m('ConfigMap', 'z')]);
    expect(sorted.map((x) => `${x.kind}/${x.metadata?.name}`)).toEqual([
      'ConfigMap/z', 'Secret/z', 'Service/b', 'Deployment/a', 'Deployment/b', 'HorizontalPodAutoscaler/a',
    ]);
  });

  it('names files <name>-<kind>.yaml', () => {
    expect(manifestFileName({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'db-data' } })).toBe('db-data-persistentvolumeclaim.yaml');
  });

  it('does not depend on the order services, labels or variables were written in', () => {
    const b = () => serviceFixture('b', { expose: ['80'], labels: { y: '1', x: '2' } });
    const a = (env: Record<string, string>) => serviceFixture('a', { environment: env });
    const one = run(projectOf([b(), a({ Z: '1', A: '2' })]));
    const other = run(projectOf([a({ A: '2', Z: '1' }), b()]));
    expect(manifestsYaml(one.manifests)).toBe(manifestsYaml(other.manifests));
  });
});
