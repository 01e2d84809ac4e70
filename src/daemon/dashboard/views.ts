// What each dashboard view shows now, rendered on the server: the page the browser first gets and
// every fragment the live stream sends after are the same function of the daemon's state.
import type { ProjectStatus } from '../../protocol/api.js';
import type { ApiContext } from '../api/context.js';
import { HttpError } from '../api/http.js';
import { projectStatus } from '../status/project-status.js';
import { replicaSummary } from './logs-view.js';
import { overviewView } from './overview-view.js';
import { projectView, serviceCard } from './project-view.js';
import { timelineView } from './timeline-view.js';

/**
 * A page refreshes every few seconds: the controller's listing serves it while no container changed
 * (the controller lists again on every container event and at each resync), as the autoscaler does.
 */
const LISTING_MAX_AGE_MS = 30_000;

export type ViewName = 'overview' | 'project' | 'service' | 'events' | 'logs';

export interface ViewParams {
  view: ViewName;
  project?: string;
  service?: string;
  replica?: string;
}

/** The live part of a view. */
export async function renderLive(ctx: ApiContext, v: ViewParams): Promise<string> {
  switch (v.view) {
    case 'overview':
      return overviewView(await Promise.all(ctx.registry.all().map((r) => projectStatus(ctx, r, { listingMaxAgeMs: LISTING_MAX_AGE_MS }))));
    case 'events':
      return timelineView(ctx.events.recent({ project: v.project }));
    case 'project': {
      const status = await statusOf(ctx, v.project);
      return `${projectView(status)}<h2>Recent events</h2>${timelineView(ctx.events.recent({ project: status.name }), 15)}`;
    }
    case 'service': {
      const status = await statusOf(ctx, v.project);
      const service = status.services.find((s) => s.name === v.service);
      if (!service) throw new HttpError(404, `project ${status.name} has no service ${JSON.stringify(v.service)}`, 'service');
      const events = ctx.events.recent({ project: status.name }).filter((e) => e.service === service.name);
      return `${serviceCard(status.name, service, false)}<h2>Recent events</h2>${timelineView(events, 15)}`;
    }
    case 'logs': {
      const status = await statusOf(ctx, v.project);
      const replica = status.services.flatMap((s) => s.replicas).find((r) => r.name === v.replica);
      return replicaSummary(replica, v.replica ?? '');
    }
  }
}

async function statusOf(ctx: ApiContext, project: string | undefined): Promise<ProjectStatus> {
  const record = ctx.lifecycle.require(project ?? '');
  return projectStatus(ctx, record, { listingMaxAgeMs: LISTING_MAX_AGE_MS });
}
