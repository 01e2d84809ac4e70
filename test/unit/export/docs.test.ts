// docs/kubernetes-export.md, "Moving a host to a cluster", quotes the export of
// test/fixtures/export/host/compose.yaml: every YAML block of that section must be in the golden
// file (golden.test.ts keeps the golden file true to the export), so the guide cannot drift.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/kubernetes-export.md has no "## ${heading}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

describe('docs/kubernetes-export.md', () => {
  it('quotes the export of the host fixture word for word in "Moving a host to a cluster"', () => {
    const guide = section(readFileSync(join(ROOT, 'docs/kubernetes-export.md'), 'utf8'), 'Moving a host to a cluster');
    const golden = readFileSync(join(ROOT, 'test/fixtures/export/golden/host.yaml'), 'utf8');
    const blocks = [...guide.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) expect(golden).toContain(block);
  });
});
