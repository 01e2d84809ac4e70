// The event timeline: the daemon's events, newest first, each with its cause. The page's script
// prepends live ones as the stream delivers them, in the same markup (data-event attributes).
import type { DaemonEvent } from '../../protocol/api.js';
import { esc, time } from './html.js';

/** Event types that mean something went wrong, shown with a symbol as well as a colour. */
const BAD = new Set(['replica-unhealthy', 'backoff', 'gave-up', 'config-error', 'operation-failed', 'engine']);
/** Worth a look: an exit may be a job's normal end, a scale or roll-out a change someone made. */
const NOTABLE = new Set(['replica-exited', 'scaled', 'rollout']);

export function timelineView(events: DaemonEvent[], limit = 200): string {
  const newest = events.slice(-limit).reverse();
  if (newest.length === 0) return '<ol class="timeline" id="timeline"><li class="empty">no events yet</li></ol>';
  return `<ol class="timeline" id="timeline">${newest.map(eventItem).join('\n')}</ol>`;
}

export function eventItem(e: DaemonEvent): string {
  const where = [e.project, e.service, e.replica === undefined ? undefined : `#${e.replica}`].filter((x) => x !== undefined).join(' ');
  const tone = BAD.has(e.type) ? 'bad' : NOTABLE.has(e.type) ? 'warn' : 'idle';
  return `<li class="${tone}" data-type="${esc(e.type)}">${time(e.time)} <strong>${BAD.has(e.type) ? '✖ ' : ''}${esc(e.type)}</strong> <span class="where">${esc(where)}</span> ${esc(e.message)}</li>`;
}
