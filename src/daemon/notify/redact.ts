// Environment values never leave the host in a notification: the values a project's services are
// given are blanked out of every text field before it is queued (a log line that prints its
// environment, an engine error that quotes a spec). Pure.
import type { Project } from '../../compose/model.js';
import type { Notification } from '../core/notify-decision.js';

/** Shorter values ("1", "true", "info") are everywhere in ordinary text and guard nothing. */
const MIN_SECRET_LENGTH = 6;
const MASK = '[redacted]';

/** The environment values of every service of the project, longest first (a value inside a longer one is then not left half-masked). */
export function secretsOf(project: Project): string[] {
  const values = new Set<string>();
  for (const service of Object.values(project.services)) {
    for (const value of Object.values(service.environment)) if (value !== null && value.length >= MIN_SECRET_LENGTH) values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

export function redact(n: Notification, secrets: readonly string[]): Notification {
  if (secrets.length === 0) return n;
  const clean = (text: string) => secrets.reduce((out, secret) => out.replaceAll(secret, MASK), text);
  return { ...n, reason: clean(n.reason), logTail: n.logTail.map(clean) };
}
