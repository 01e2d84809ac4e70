// Diagnostics carry a position so every message a user sees points at file:line:col and a key path.

export interface Diagnostic {
  severity: 'error' | 'warning';
  /** Path of the file as the user named it (relative paths stay relative). */
  file: string;
  /** 1-based; 0 when the problem has no place in a file (e.g. an environment variable). */
  line: number;
  column: number;
  /** Key path in the document, e.g. `services.web.ports[1]`; empty for the document itself. */
  path: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  // A diagnostic about no file at all ("no compose file found in DIR") has no place to name.
  const place = [where, d.path].filter(Boolean).join(' ');
  return place ? `${prefix}${place}: ${d.message}` : `${prefix}${d.message}`;
}

/** Thrown by the loader when a project has at least one error; carries all of them. */
export class ComposeError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n'));
    this.name = 'ComposeError';
  }
}
