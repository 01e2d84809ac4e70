// `composed ps` as docker compose prints it: NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS.
import type { ComposeContainer, Publisher } from '../../protocol/compose-containers.js';
import { renderTable } from './table.js';

export function renderPsTable(rows: ComposeContainer[], nowMs: number): string {
  return `${renderTable(
    ['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'],
    rows.map((c) => [c.Name, c.Image, quotedCommand(c.Command), c.Service, `${humanDuration(nowMs / 1000 - c.Created)} ago`, c.Status, formatPorts(c.Publishers)]),
  )}\n`;
}

/** `"sh -c 'trap…"`: quoted and cut at 20 characters, as compose shows it. */
export function quotedCommand(command: string): string {
  return JSON.stringify(command.length > 20 ? `${command.slice(0, 19)}…` : command);
}

/** `127.0.0.1:8080->80/tcp, 443/tcp`, one entry per mapping, exposed-only ports without an arrow. */
export function formatPorts(publishers: Publisher[]): string {
  return publishers.map((p) => (p.PublishedPort ? `${p.URL ? `${p.URL}:` : ''}${p.PublishedPort}->${p.TargetPort}/${p.Protocol}` : `${p.TargetPort}/${p.Protocol}`)).join(', ');
}

/** Docker's units.HumanDuration, in words. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.round(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.round(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.round(h / 24 / 30)} months`;
  return `${Math.round(h / 24 / 365)} years`;
}
