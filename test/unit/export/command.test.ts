// `composed export kubernetes` as a user runs it: YAML on stdout, warnings on stderr, files with -o.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { registerExport } from '../../../src/cli/commands/export.js';

const SHOP = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/export/shop/compose.yaml');

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = 0;
  const program = new Command('composed').exitOverride().enablePositionalOptions();
  registerExport(program);
  try {
    await program.parseAsync(['node', 'composed', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout, stderr, exitCode };
}

describe('composed export kubernetes', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('prints one multi-document YAML stream, warnings on stderr naming service and key', async () => {
    const { stdout, stderr, exitCode } = await cli('export', 'kubernetes', '-f', SHOP);
    expect(exitCode).toBe(0);
    const docs = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toContain('Deployment/api');
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toContain('HorizontalPodAutoscaler/api');
    expect(stderr).toContain('warning: services.api.environment.SESSION_SECRET: looks like a secret');
    expect(stdout).not.toContain('warning');
  });

  it('--namespace and --expose reach the manifests', async () => {
    const { stdout } = await cli('export', 'kubernetes', '-f', SHOP, '--namespace', 'shop-prod', '--expose', 'nodeport');
    const docs = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; spec?: { type?: string } });
    expect(new Set(docs.map((d) => d.metadata.namespace))).toEqual(new Set(['shop-prod']));
    expect(docs.find((d) => d.metadata.name === 'proxy-public')?.spec?.type).toBe('NodePort');
  });

  it('-o writes one file per object and lists them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'composed-export-'));
    const { stdout, exitCode } = await cli('export', 'kubernetes', '-f', SHOP, '-o', dir);
    expect(exitCode).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toContain('api-deployment.yaml');
    expect(files).toContain('api-horizontalpodautoscaler.yaml');
    expect(files).toContain('db-password-secret.yaml');
    expect(stdout.trim().split('\n').sort()).toEqual(files.map((f) => join(dir!, f)));
    expect(readFileSync(join(dir, 'api-service.yaml'), 'utf8')).toMatch(/^apiVersion: v1\nkind: Service\n/);
  });

  it('rejects a namespace Kubernetes would not take', async () => {
    const { stdout, stderr, exitCode } = await cli('export', 'kubernetes', '-f', SHOP, '--namespace', 'Shop_Prod');
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('--namespace: "Shop_Prod" is not a namespace name');
  });

  it('an invalid compose file prints its errors and exits 1', async () => {
    dir = mkdtempSync(join(tmpdir(), 'composed-export-'));
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, 'services:\n  web:\n    image: nginx\n    restart: sometimes\n');
    const { stdout, stderr, exitCode } = await cli('export', 'kubernetes', '-f', file);
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('services.web.restart');
  });
});
