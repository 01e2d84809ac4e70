// GET /live: server-sent events for one open page. It sends the view's fragment at once, again
// shortly after any event of the page's project and every few seconds (uptimes, CPU), the events
// themselves for the timeline, and, on a service's page, its history whenever a sample was added.
// All timers are the injected clock's, and everything stops when the browser goes away.
import type { ServerResponse } from 'node:http';
import type { DaemonEvent } from '../../protocol/api.js';
import type { ApiContext } from '../api/context.js';
import { toHttpError, writeText } from '../api/http.js';
import type { HistorySampler } from '../history/history-sampler.js';
import type { Timer } from '../ports/clock.js';
import { renderLive, type ViewParams } from './views.js';

/**
 * How often an open page is refreshed when no event came: for uptimes and CPU, which move without
 * events (the autoscaler samples every few seconds, the history every 10 s). Anything an event
 * announces shows within EVENT_SETTLE_MS instead.
 */
export const REFRESH_MS = 5_000;
/** Events come in bursts (a replacement is several); one refresh follows the burst. */
const EVENT_SETTLE_MS = 200;

export function streamLive(ctx: ApiContext, history: HistorySampler, res: ServerResponse, view: ViewParams): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  let lastFragment = '';
  let historyVersion = -1;
  let rendering = false;
  let again = false;
  let settle: Timer | undefined;

  const send = (event: string, data: string) => writeText(res, `event: ${event}\n${data.split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`);

  const refresh = async (): Promise<void> => {
    if (rendering) {
      again = true;
      return;
    }
    rendering = true;
    try {
      const fragment = await renderLive(ctx, view).catch((error: unknown) => `<p class="banner bad">✖ ${toHttpError(error).message}</p>`);
      if (fragment !== lastFragment) send('fragment', fragment);
      lastFragment = fragment;
      if (view.view === 'service' && view.project && view.service) {
        const version = history.versionOf(view.project, view.service);
        const h = version !== historyVersion ? history.history(view.project, view.service) : undefined;
        if (h) send('history', JSON.stringify(h));
        historyVersion = version;
      }
    } finally {
      rendering = false;
      if (again && !res.destroyed) {
        again = false;
        void refresh();
      }
    }
  };

  const relevant = (e: DaemonEvent) => (view.project === undefined || e.project === view.project) && (view.service === undefined || e.service === undefined || e.service === view.service);
  const unsubscribe = ctx.events.subscribe((e) => {
    if (!relevant(e)) return;
    send('daemon-event', JSON.stringify(e));
    settle?.cancel();
    settle = ctx.clock.setTimer(EVENT_SETTLE_MS, () => void refresh());
  });
  const timer = ctx.clock.setRepeating(REFRESH_MS, () => void refresh());
  // The response's close: the browser went away (the request's own close only says its body was read).
  res.on('close', () => {
    unsubscribe();
    timer.cancel();
    settle?.cancel();
  });
  void refresh();
}
