// The page around every view: the stylesheet and script from the package (nothing from a CDN),
// the navigation, the live region the event stream refreshes, and the one confirmation dialog.
import { esc } from './html.js';

export interface PageView {
  title: string;
  /** What the live stream renders for this page: overview, project, service, events, logs. */
  view: string;
  project?: string;
  service?: string;
  replica?: string;
  /** The part the event stream replaces. */
  live: string;
  /** What stays put between refreshes (plots, a log). */
  fixed?: string;
}

export function page(v: PageView): string {
  const data = [['view', v.view], ['project', v.project], ['service', v.service], ['replica', v.replica]]
    .filter(([, value]) => value !== undefined)
    .map(([k, value]) => ` data-${k}="${esc(value)}"`)
    .join('');
  const crumbs = [`<a href="/">all projects</a>`];
  if (v.project) crumbs.push(`<a href="/projects/${encodeURIComponent(v.project)}">${esc(v.project)}</a>`);
  if (v.project && v.service) crumbs.push(`<a href="/projects/${encodeURIComponent(v.project)}/services/${encodeURIComponent(v.service)}">${esc(v.service)}</a>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(v.title)} · composed</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/plots.js" defer></script>
<script src="/assets/app.js" defer></script>
</head>
<body${data}>
<header><nav>${crumbs.join(' <span aria-hidden="true">›</span> ')} · <a href="/events${v.project ? `?project=${encodeURIComponent(v.project)}` : ''}">events</a></nav>
<span id="conn" class="conn" role="status">connecting…</span></header>
<main>
<h1>${esc(v.title)}</h1>
<div id="live">${v.live}</div>
${v.fixed ?? ''}
</main>
<dialog id="confirm"><form method="dialog"><p id="confirm-text"></p>
<menu><button value="cancel">Cancel</button> <button value="ok" id="confirm-ok" class="primary">Confirm</button></menu></form></dialog>
<div id="toast" role="alert" hidden></div>
</body>
</html>
`;
}
