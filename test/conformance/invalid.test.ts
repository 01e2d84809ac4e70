// compose-go's invalid documents: every one that concerns a feature composed supports must be
// rejected. Those about features composed does not implement are listed with the reason and only
// reported. Messages are ours (with positions), so agreement on wording is reported, not asserted.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatDiagnostic } from '../../src/compose/errors.js';
import { buildProject, type SourceFile } from '../../src/compose/project.js';
import { corpusPresent, CORPUS, readTsv, SKIP_REASON } from './corpus.js';

const INVALID = join(CORPUS, 'compose-go/invalid');

/** Fixtures about features composed does not implement (they are accepted with a warning, or are errors for another reason). */
const UNSUPPORTED: Record<string, string> = {
  TestServiceDeviceRequestCountInvalidStringType: 'deploy.resources device requests are ignored with a warning',
  TestServiceDeviceRequestCountAndDeviceIdsExclusive: 'deploy.resources device requests are ignored with a warning',
  TestServiceDeviceRequestCapabilitiesMandatory: 'deploy.resources device requests are ignored with a warning',
  TestLoadServiceWithLabelFile_NotExists: 'label_file is ignored with a warning',
  TestLoadSSHWithoutValueInBuildConfig: 'build.ssh is ignored with a warning',
  TestLoadWithResourcesCycle: 'remote resources (git/oci includes) are not supported',
};

interface Outcome {
  file: string;
  rejected: boolean;
  supported: boolean;
  messageAgrees: boolean;
  errors: string[];
}

function load(row: Record<string, unknown>): Outcome {
  const names = (row.files as string).split(',');
  const env = (row.env ?? {}) as Record<string, string>;
  const files: SourceFile[] = names.map((name) => {
    const path = join(INVALID, name);
    let text = readFileSync(path, 'utf8');
    // *.model.json is a project built in Go code: service `name` is a Go field, not a compose key.
    if (name.endsWith('.model.json')) {
      const model = JSON.parse(text) as { services?: Record<string, Record<string, unknown>> };
      for (const s of Object.values(model.services ?? {})) delete s.name;
      text = stringify(model);
    }
    return { path, name, text };
  });
  const test = row.test as string;
  // The testdata-files fixtures were loaded upstream from compose-go/loader/testdata, which their includes refer to.
  const workingDir = names[0]!.startsWith('loader/testdata-files/') ? join(CORPUS, 'compose-go/loader/testdata') : dirname(files[0]!.path);
  const out = buildProject({
    files: files.map((f) => ({ ...f, path: join(workingDir, f.name.split('/').pop()!) })),
    env,
    workingDir,
    // compose-go loads this one without any project name; composed always has a directory name.
    ...(test === 'TestLoadEmptyContent_MissingProject' ? {} : { defaultProjectName: 'conformance' }),
    profiles: [],
    reader: { read: (p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined) },
  });
  const errors = out.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  const expected = row.expected_error as string | null;
  const key = Object.keys(UNSUPPORTED).find((k) => test === k || names[0]!.endsWith(k));
  return {
    file: row.files as string,
    rejected: errors.length > 0,
    supported: key === undefined,
    messageAgrees: expected === null || errors.some((e) => e.toLowerCase().includes(expected.toLowerCase().replace(/: invalid compose project$/, ''))),
    errors,
  };
}

describe.skipIf(!corpusPresent)('compose-go invalid fixtures', () => {
  const rows = corpusPresent ? readTsv('compose-go/invalid/index.tsv') : [];

  it.each(rows.filter((r) => load(r).supported).map((r) => [r.files as string, r] as const))('%s is rejected', (_, row) => {
    const outcome = load(row);
    expect(outcome.rejected, `accepted: ${outcome.file}`).toBe(true);
  });

  it('rejects every fixture about a supported feature', () => {
    const outcomes = rows.map(load);
    const supported = outcomes.filter((o) => o.supported);
    const unsupported = outcomes.filter((o) => !o.supported);
    console.log(`invalid fixtures: ${supported.filter((o) => o.rejected).length}/${supported.length} about supported features rejected; ` +
      `${unsupported.filter((o) => o.rejected).length}/${unsupported.length} about unsupported features rejected anyway; ` +
      `${outcomes.filter((o) => o.messageAgrees).length}/${outcomes.length} with compose-go's wording`);
    for (const o of unsupported) console.log(`  not asserted: ${o.file} (${o.rejected ? 'rejected' : 'accepted'})`);
    expect(supported.filter((o) => !o.rejected).map((o) => o.file)).toEqual([]);
    expect(supported.length).toBeGreaterThan(40);
  });
});

describe.skipIf(corpusPresent)('compose-go invalid fixtures', () => {
  it.skip(SKIP_REASON, () => undefined);
});
