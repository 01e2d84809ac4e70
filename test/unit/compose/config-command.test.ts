import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runConfig } from '../../../src/cli/commands/config.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'composed-config-'));
  writeFileSync(join(dir, 'compose.yaml'), 'version: "3"\nservices:\n  web:\n    image: nginx\n    ports: ["8080:80"]\n  db: {image: postgres}\n');
  writeFileSync(join(dir, 'bad.yaml'), 'services:\n  web:\n    image: nginx\n    ports: ["80:80:80"]\n    restart: sometimes\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async (options: Parameters<typeof runConfig>[0]): Promise<{ code: number; out: string; err: string }> => {
  let out = '';
  let err = '';
  const code = await runConfig(options, dir, {}, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
};

describe('composed config', () => {
  it('prints the project as a compose file, warnings on stderr', async () => {
    const r = await run({ format: 'yaml' });
    expect(r.code).toBe(0);
    expect(r.err).toBe('warning: compose.yaml:1:1 version: the top-level version is obsolete and ignored\n');
    const doc = parse(r.out) as { name: string; services: Record<string, { ports: unknown[]; restart: string }> };
    expect(doc.name).toBe(dir.split('/').pop()!.toLowerCase().replace(/[^a-z0-9_-]/g, ''));
    expect(doc.services.web!.ports).toEqual([{ target: 80, published: '8080', protocol: 'tcp', mode: 'ingress' }]);
    expect(doc.services.web!.restart).toBe('no');
    expect(r.out).not.toContain('stopGracePeriodMs');
  });

  it('prints the internal model with --model, keys sorted', async () => {
    const r = await run({ format: 'yaml', model: true });
    expect(r.out).toContain('stopGracePeriodMs: 10000');
    expect(r.out.indexOf('configFiles:')).toBeLessThan(r.out.indexOf('services:'));
  });

  it('lists volumes, images, profiles and hashes; an unknown service for --hash exits 1', async () => {
    writeFileSync(join(dir, 'lists.yaml'), 'services:\n  a: {image: busybox, volumes: ["v:/v"]}\n  b: {image: nginx, profiles: [debug, tools]}\nvolumes: {v: {}}\n');
    expect((await run({ format: 'yaml', file: ['lists.yaml'], volumes: true })).out).toBe('v\n');
    expect((await run({ format: 'yaml', file: ['lists.yaml'], images: true })).out).toBe('busybox\n');
    expect((await run({ format: 'yaml', file: ['lists.yaml'], profiles: true })).out).toBe('debug\ntools\n');
    expect((await run({ format: 'yaml', file: ['lists.yaml'], hash: '*' })).out).toMatch(/^a [0-9a-f]{64}\n$/);
    const bad = await run({ format: 'yaml', file: ['lists.yaml'], hash: 'b' });
    expect(bad).toMatchObject({ code: 1, err: 'composed: --hash: no such service: b\n' });
  });

  it('--no-interpolate prints the files merged as written, ${VAR} kept, after validating them', async () => {
    writeFileSync(join(dir, 'vars.yaml'), 'services:\n  web:\n    image: "nginx:${TAG:-1}"\n    ports: ["${PORT:-8080}:80"]\n');
    writeFileSync(join(dir, 'vars.override.yaml'), 'services:\n  web:\n    environment: { MODE: "$${literal}" }\n');
    const r = await run({ format: 'yaml', file: ['vars.yaml', 'vars.override.yaml'], interpolate: false });
    expect(r.code, r.err).toBe(0);
    expect(parse(r.out)).toEqual({ services: { web: { image: 'nginx:${TAG:-1}', ports: ['${PORT:-8080}:80'], environment: { MODE: '$${literal}' } } } });
    expect((await run({ format: 'yaml', file: ['bad.yaml'], interpolate: false })).code).toBe(1);
  });

  it('prints JSON, the service names, or nothing', async () => {
    expect(JSON.parse((await run({ format: 'json' })).out).services.db.image).toBe('postgres');
    expect((await run({ format: 'yaml', services: true })).out).toBe('db\nweb\n');
    expect((await run({ format: 'yaml', quiet: true })).out).toBe('');
  });

  it('prints every error, one per line, and exits 1', async () => {
    const r = await run({ format: 'yaml', file: ['bad.yaml'] });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe([
      'bad.yaml:4:13 services.web.ports[0]: "80:80:80" is not a port mapping (expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL])',
      'bad.yaml:5:14 services.web.restart: "sometimes" is not a restart policy (expected "no", always, on-failure[:N] or unless-stopped)',
      '',
    ].join('\n'));
  });
});

describe('docs/config-format.md', () => {
  it('shows exactly what composed config prints for its example', async () => {
    const { readFileSync } = await import('node:fs');
    const { renderProject } = await import('../../../src/cli/commands/config.js');
    const { buildProject } = await import('../../../src/compose/project.js');
    const doc = readFileSync(new URL('../../../docs/config-format.md', import.meta.url), 'utf8');
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const [input, output] = blocks.slice(-2);
    const out = buildProject({ files: [{ path: '/srv/shop/compose.yaml', name: 'compose.yaml', text: input! }], env: {}, workingDir: '/srv/shop', defaultProjectName: 'shop', profiles: [], reader: { read: () => undefined } });
    expect(renderProject(out.project!, 'yaml')).toBe(output);
  });
});
