// The human view of `composed status`: one row per service, then one per replica, aligned.
import picocolors from 'picocolors';
import { formatDiagnostic } from '../../compose/errors.js';
import type { NotificationDelivery, ProjectStatus, ReplicaStatus, ServiceStatus, TagFollowStatus } from '../../protocol/api.js';
import { autoscaleMetricsText } from '../../protocol/autoscale-metrics.js';
import type { ContainerStats } from '../../protocol/compose-containers.js';
import { binaryBytes } from './bytes.js';
import { colourWanted } from './colour.js';
import { renderTable } from './table.js';

export { colourWanted } from './colour.js';

const pc = picocolors.createColors(colourWanted());

const PHASE_COLOUR: Record<string, (text: string) => string> = {
  running: pc.green,
  completed: pc.green,
  healthy: pc.green,
  starting: pc.yellow,
  waiting: pc.yellow,
  backoff: pc.yellow,
  degraded: pc.yellow,
  created: pc.yellow,
  exited: pc.yellow,
  missing: pc.yellow,
  failed: pc.red,
  blocked: pc.red,
  unhealthy: pc.red,
  stopped: pc.dim,
  'scaled-to-zero': pc.dim,
};

function coloured(word: string): string {
  return (PHASE_COLOUR[word] ?? ((t: string) => t))(word);
}

/** `usage`: CPU and memory by container name (status --watch); columns of their own when given. */
export function renderStatus(status: ProjectStatus, now = Date.now(), usage?: ReadonlyMap<string, ContainerStats>): string {
  const lines = [`project ${status.name} (${status.configFiles.join(', ')})`];
  if (status.engine === 'unreachable') lines.push(pc.red('engine unreachable: showing the last known state'));
  for (const e of status.configErrors) lines.push(pc.red(`config error: ${formatDiagnostic(e)}`));
  for (const w of status.warnings) lines.push(pc.yellow(formatDiagnostic(w)));
  for (const s of status.services) for (const w of s.warnings ?? []) lines.push(pc.yellow(`warning: ${s.name}: ${w}`));
  for (const s of status.services) if (s.tagFollow) lines.push((s.tagFollow.updateAvailable || s.tagFollow.checkError ? pc.yellow : (t: string) => t)(tagFollowLine(s.name, s.tagFollow, now)));
  for (const d of status.notifications ?? []) {
    const line = deliveryTrouble(d, now);
    if (line) lines.push(pc.yellow(line));
  }
  const rows: string[][] = [];
  for (const s of status.services) {
    rows.push(withUsage(serviceRow(s), usage && ['', '']));
    for (const r of s.replicas) rows.push(withUsage(replicaRow(r, now), usage && usageCells(usage.get(r.name))));
  }
  const head = ['NAME', 'STATE', 'READY', 'HEALTH', 'UPTIME', 'RESTARTS', 'LAST EXIT', 'NOTE'];
  lines.push(renderTable(withUsage(head, usage && ['CPU %', 'MEM']), rows));
  return lines.join('\n');
}

/** The usage cells go before NOTE, the one column of free length. */
function withUsage(row: string[], cells: string[] | undefined): string[] {
  return cells ? [...row.slice(0, -1), ...cells, row.at(-1) ?? ''] : row;
}

function usageCells(stats: ContainerStats | undefined): string[] {
  if (!stats) return ['', ''];
  return [stats.cpuPercent.toFixed(1), binaryBytes(stats.memoryBytes)];
}

/** A receiver that fails now (its last error after its last delivery) or lost notifications. */
function deliveryTrouble(d: NotificationDelivery, now: number): string | undefined {
  const failingNow = d.lastErrorAt !== undefined && (d.lastSentAt === undefined || Date.parse(d.lastErrorAt) > Date.parse(d.lastSentAt));
  if (!failingNow && d.dropped === 0) return undefined;
  const counts = `${d.failed} failed, ${d.dropped} dropped, ${d.queued} waiting`;
  const last = failingNow ? `; last error ${duration(now - Date.parse(d.lastErrorAt ?? ''))} ago: ${d.lastError ?? '?'}` : '';
  return `notifications to ${d.endpoint}: ${counts}${last}`;
}

/** A service following its image tag: the digests, the last check, the last update or rollback. */
function tagFollowLine(service: string, t: TagFollowStatus, now: number): string {
  const short = (digest: string | undefined) => (digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '?');
  const checked = t.checkedAt ? `checked ${duration(now - Date.parse(t.checkedAt))} ago` : 'not checked yet';
  const parts = [`image ${service}: ${t.tag} (${t.policy}), running ${short(t.runningDigest)}, latest ${short(t.latestDigest)}, ${checked}`];
  if (t.updateAvailable) parts.push('update available');
  if (t.checkError) parts.push(`last check failed, next in ${t.nextCheckAt ? duration(Date.parse(t.nextCheckAt) - now) : '?'}: ${t.checkError}`);
  if (t.last && t.last.state !== 'available') parts.push(`${t.last.message} (${duration(now - Date.parse(t.last.at))} ago)`);
  return parts.join('; ');
}

function serviceRow(s: ServiceStatus): string[] {
  const a = s.autoscale;
  const cpu = a ? `autoscale ${a.min}-${a.max}${a.scaledToZero ? ', scaled to zero' : ''}, ${autoscaleMetricsText(a)}${a.lastDecision ? `: ${a.lastDecision.reason}` : ''} ` : '';
  const balanced = s.balancer?.length ? `balanced on ${s.balancer.map((b) => b.listen).join(', ')} ` : '';
  return [pc.bold(s.name), coloured(s.phase), `${s.ready}/${s.desired}`, '', '', String(s.restarts), '', `${s.message ?? ''} ${balanced}${cpu}`.trim()];
}

function replicaRow(r: ReplicaStatus, now: number): string[] {
  const note = r.nextRetryAt ? `next try in ${duration(Date.parse(r.nextRetryAt) - now)}` : r.reason ?? '';
  const health = r.health === 'none' ? '' : coloured(r.health);
  const cpu = r.cpuPercent === undefined ? '' : ` cpu ${Math.round(r.cpuPercent)}%`;
  return [`  ${r.name}`, coloured(r.phase), '', health, r.uptimeSeconds === undefined ? '' : duration(r.uptimeSeconds * 1000), String(r.restarts), lastExit(r, now), `${note}${cpu}`.trim()];
}

function lastExit(r: ReplicaStatus, now: number): string {
  const e = r.lastExit;
  if (!e) return '';
  const what = e.cause === 'removed' ? 'removed' : e.cause === 'unhealthy' ? 'unhealthy' : `${e.exitCode ?? '?'}${e.oomKilled ? ' OOM' : ''}`;
  return `${what} (${duration(now - Date.parse(e.at))} ago)`;
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return ms < 1000 ? `${Math.max(0, ms / 1000).toFixed(1)}s` : `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}
