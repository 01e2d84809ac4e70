// A project, and one service of it: phase, replicas with health and probe output, uptime,
// restarts, the last exit with its log tail, the next retry, the roll-out, config errors and
// warnings: what `composed status` holds, with the buttons for restart, scale and stop/start.
import { formatDiagnostic } from '../../compose/errors.js';
import type { ProjectStatus, ReplicaStatus, ServiceStatus } from '../../protocol/api.js';
import { autoscaleMetricsText } from '../../protocol/autoscale-metrics.js';
import { badge, duration, esc, phaseRank, seg, time } from './html.js';

export function projectView(status: ProjectStatus): string {
  const parts: string[] = [];
  if (status.engine === 'unreachable') parts.push('<p class="banner bad">✖ The engine does not answer: what follows is its last listing.</p>');
  if (status.configErrors.length > 0) {
    parts.push(`<section class="banner bad"><h2>✖ Config errors (the previous config keeps running)</h2><ul>${status.configErrors.map((d) => `<li><code>${esc(formatDiagnostic(d))}</code></li>`).join('')}</ul></section>`);
  }
  if (status.warnings.length > 0) {
    parts.push(`<section class="banner warn"><h2>▲ Warnings</h2><ul>${status.warnings.map((d) => `<li><code>${esc(formatDiagnostic(d))}</code></li>`).join('')}</ul></section>`);
  }
  const services = [...status.services].sort((a, b) => phaseRank(a.phase) - phaseRank(b.phase) || (a.name < b.name ? -1 : 1));
  for (const s of services) parts.push(serviceCard(status.name, s, true));
  return parts.join('\n');
}

export function serviceCard(project: string, s: ServiceStatus, linked: boolean): string {
  const name = linked ? `<a href="/projects/${seg(project)}/services/${seg(s.name)}">${esc(s.name)}</a>` : esc(s.name);
  const facts: string[] = [`<span class="count" title="ready / desired">${s.ready}/${s.desired} ready</span>`, `restarts ${s.restarts}`, `<code>${esc(s.image)}</code>`];
  if (s.autoscale) {
    facts.push(`autoscale ${s.autoscale.min}–${s.autoscale.max}${s.autoscale.scaledToZero ? ', scaled to zero' : ''}, ${esc(autoscaleMetricsText(s.autoscale))}`);
  }
  const lines: string[] = [];
  if (s.message) lines.push(`<p class="message">${esc(s.message)}</p>`);
  if (s.rollout) lines.push(`<p class="rollout">roll-out <strong>${esc(s.rollout.state)}</strong>: ${esc(s.rollout.message)} (${time(s.rollout.at)})</p>`);
  if (s.autoscale?.lastDecision) {
    const d = s.autoscale.lastDecision;
    lines.push(`<p class="decision">last autoscale decision ${d.from} → ${d.to}: ${esc(d.reason)} (${time(d.at)})</p>`);
  }
  for (const w of s.warnings ?? []) lines.push(`<p class="banner warn">▲ ${esc(w)}</p>`);
  if (s.healthProbes) lines.push(`<p class="note">health probes ${esc(s.healthProbes)}</p>`);
  return `<section class="card service" data-service="${esc(s.name)}" data-phase="${esc(s.phase)}">
<h2>${name} ${badge(s.phase)}</h2>
<p class="facts">${facts.join(' · ')}</p>
${lines.join('\n')}
${actions(project, s)}
${replicaTable(project, s)}
</section>`;
}

function actions(project: string, s: ServiceStatus): string {
  const data = `data-project="${esc(project)}" data-service="${esc(s.name)}"`;
  const stopped = s.phase === 'stopped';
  return `<div class="actions">
<button type="button" data-action="restart" ${data}>Restart</button>
<button type="button" data-action="${stopped ? 'start' : 'stop'}" ${data}>${stopped ? 'Start' : 'Stop'}</button>
<label>replicas <input type="number" min="0" max="1000" value="${s.desired}" inputmode="numeric" data-scale-input ${data}></label>
<button type="button" data-action="scale" ${data}>Scale</button>
</div>`;
}

function replicaTable(project: string, s: ServiceStatus): string {
  if (s.replicas.length === 0) return '<p class="empty">no replicas</p>';
  const rows = s.replicas.map((r) => replicaRow(project, s.name, r)).join('\n');
  return `<div class="scroll"><table class="replicas">
<thead><tr><th>replica</th><th>phase</th><th>health</th><th>uptime</th><th>restarts</th><th>cpu</th><th>last exit</th><th>next retry</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

function replicaRow(project: string, service: string, r: ReplicaStatus): string {
  const health = r.health === 'none' ? '–' : r.health;
  const probe = r.healthOutput ? `<details><summary>probe output</summary><pre>${esc(r.healthOutput)}</pre></details>` : '';
  const cpu = r.cpuPercent === undefined ? '–' : `${r.cpuPercent}%`;
  return `<tr data-replica="${esc(r.name)}" data-phase="${esc(r.phase)}">
<td><a href="/projects/${seg(project)}/replicas/${seg(r.name)}?service=${seg(service)}">${esc(r.name)}</a></td>
<td>${badge(r.phase)}${r.reason ? `<div class="reason">${esc(r.reason)}</div>` : ''}</td>
<td>${esc(health)}${probe}</td>
<td>${duration(r.uptimeSeconds)}</td>
<td class="restarts">${r.restarts}</td>
<td>${cpu}</td>
<td>${lastExit(r)}</td>
<td>${time(r.nextRetryAt)}</td>
</tr>`;
}

function lastExit(r: ReplicaStatus): string {
  const e = r.lastExit;
  if (!e) return '–';
  const what = e.cause === 'exit' ? `exit ${e.exitCode ?? '?'}${e.oomKilled ? ' (OOM)' : ''}` : e.cause;
  const tail = e.logTail.length > 0 ? `<details><summary>log tail</summary><pre>${esc(e.logTail.join('\n'))}</pre></details>` : '';
  return `${esc(what)} ${time(e.at)}${tail}`;
}
