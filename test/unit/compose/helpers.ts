// Loads compose text from memory through the pure core, the way the fuzzer will.
import { formatDiagnostic, type Diagnostic } from '../../../src/compose/errors.js';
import type { Project, Service } from '../../../src/compose/model.js';
import { buildProject, type ProjectOutput } from '../../../src/compose/project.js';

export const WORKDIR = '/proj';

export interface MemoryLoad {
  env?: Record<string, string>;
  profiles?: string[];
  projectName?: string;
  /** Other files by absolute path (env_file, secrets, extends). */
  files?: Record<string, string>;
}

/** Each text is a file named compose.yaml, override.yaml, file3.yaml ... merged in order. */
export function loadText(texts: string | string[], opts: MemoryLoad = {}): ProjectOutput {
  const list = Array.isArray(texts) ? texts : [texts];
  const names = ['compose.yaml', 'override.yaml', 'file3.yaml', 'file4.yaml'];
  const other = opts.files ?? {};
  return buildProject({
    files: list.map((text, i) => ({ path: `${WORKDIR}/${names[i]}`, name: names[i]!, text })),
    env: opts.env ?? {},
    workingDir: WORKDIR,
    ...(opts.projectName ? { projectName: opts.projectName } : {}),
    defaultProjectName: 'proj',
    profiles: opts.profiles ?? [],
    reader: { read: (p) => other[p] },
  });
}

/** The project, failing the test with every error when there is one. */
export function project(texts: string | string[], opts: MemoryLoad = {}): Project {
  const out = loadText(texts, opts);
  const errors = out.diagnostics.filter((d) => d.severity === 'error');
  if (!out.project || errors.length > 0) throw new Error(`expected a valid project:\n${errors.map(formatDiagnostic).join('\n')}`);
  return out.project;
}

/** The single service of a one-service file `services: {s: ...}` given its body. */
export function service(body: string, opts: MemoryLoad & { top?: string } = {}): Service {
  const indented = body.trim().split('\n').map((l) => `    ${l}`).join('\n');
  return project(`services:\n  s:\n${indented}\n${opts.top ?? ''}`, opts).services.s!;
}

export function errors(texts: string | string[], opts: MemoryLoad = {}): string[] {
  return loadText(texts, opts).diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
}

export function warnings(texts: string | string[], opts: MemoryLoad = {}): string[] {
  return loadText(texts, opts).diagnostics.filter((d: Diagnostic) => d.severity === 'warning').map(formatDiagnostic);
}
