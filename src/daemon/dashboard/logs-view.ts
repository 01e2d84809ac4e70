// A replica's logs: the replaced container's last lines (kept in the replica memory) above the
// live output, which the page's script follows through the control API's log stream.
import type { ReplicaStatus } from '../../protocol/api.js';
import { badge, esc, time } from './html.js';

export function replicaSummary(replica: ReplicaStatus | undefined, name: string): string {
  if (!replica) return `<p class="empty">no replica ${esc(name)} now</p>`;
  const e = replica.lastExit;
  const previous = e
    ? `<h2>Previous container</h2><p>${esc(e.cause === 'exit' ? `exit ${e.exitCode ?? '?'}${e.oomKilled ? ' (OOM)' : ''}` : e.cause)} at ${time(e.at)}</p><pre class="log">${esc(e.logTail.join('\n')) || '(no output)'}</pre>`
    : '';
  return `<p>${badge(replica.phase)} restarts ${replica.restarts}${replica.reason ? ` · ${esc(replica.reason)}` : ''}</p>${previous}`;
}

export function liveLog(): string {
  return `<section><h2>Live output</h2><pre class="log" id="log" aria-live="polite"></pre></section>`;
}
