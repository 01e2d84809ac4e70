// All projects at a glance: ready/desired per service, projects and services needing a person first.
import type { ProjectStatus, ServiceStatus } from '../../protocol/api.js';
import { badge, esc, phaseRank, seg } from './html.js';

export function overviewView(projects: ProjectStatus[]): string {
  if (projects.length === 0) return '<p class="empty">No project is supervised. <code>composed up</code> hands one to the daemon.</p>';
  const ranked = projects
    .map((p) => ({ p, services: [...p.services].sort(byNeed), worst: worstRank(p) }))
    .sort((a, b) => a.worst - b.worst || (a.p.name < b.p.name ? -1 : 1));
  const rows = ranked.map(({ p, services }) => {
    const ready = p.services.reduce((n, s) => n + s.ready, 0);
    const desired = p.services.reduce((n, s) => n + s.desired, 0);
    const problems = p.configErrors.length > 0 ? `<span class="badge bad">✖ config error</span>` : '';
    const engine = p.engine === 'unreachable' ? `<span class="badge bad">✖ engine unreachable</span>` : '';
    const list = services
      .map((s) => `<li><a href="/projects/${seg(p.name)}/services/${seg(s.name)}">${esc(s.name)}</a> ${badge(s.phase)} <span class="count">${s.ready}/${s.desired}</span></li>`)
      .join('');
    return `<section class="card project" data-project="${esc(p.name)}">
<h2><a href="/projects/${seg(p.name)}">${esc(p.name)}</a> <span class="count" title="ready / desired replicas">${ready}/${desired} ready</span> ${engine}${problems}</h2>
<ul class="services">${list}</ul></section>`;
  });
  return rows.join('\n');
}

function byNeed(a: ServiceStatus, b: ServiceStatus): number {
  return phaseRank(a.phase) - phaseRank(b.phase) || (a.name < b.name ? -1 : 1);
}

function worstRank(p: ProjectStatus): number {
  if (p.configErrors.length > 0 || p.engine === 'unreachable') return -1;
  return Math.min(99, ...p.services.map((s) => phaseRank(s.phase)));
}
