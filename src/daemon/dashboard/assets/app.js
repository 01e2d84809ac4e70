// The dashboard's only script, hand-written and served from the package: it keeps the page live
// (server-sent events replace the server-rendered part), draws the history plots as inline SVG,
// follows a replica's log, and sends the actions after a confirmation. No framework, no CDN.
'use strict';

(() => {
  const body = document.body;
  const view = body.dataset.view;
  const project = body.dataset.project;
  const service = body.dataset.service;
  const replica = body.dataset.replica;
  const live = document.getElementById('live');
  const conn = document.getElementById('conn');
  const dialog = document.getElementById('confirm');
  const SVG = 'http://www.w3.org/2000/svg';

  // ---- live updates -------------------------------------------------------------------------

  let pendingFragment;

  /** A fragment waits while the person is typing a replica count or answering the dialog. */
  function busy() {
    return dialog.open || (document.activeElement && document.activeElement.matches('[data-scale-input]'));
  }

  function applyFragment(html) {
    if (busy()) {
      pendingFragment = html;
      return;
    }
    pendingFragment = undefined;
    const open = new Set([...live.querySelectorAll('details[open]')].map(detailsKey));
    live.innerHTML = html;
    for (const d of live.querySelectorAll('details')) if (open.has(detailsKey(d))) d.open = true;
    relativeTimes();
  }

  function detailsKey(d) {
    const row = d.closest('[data-replica]');
    return `${row ? row.dataset.replica : ''}/${d.querySelector('summary')?.textContent}`;
  }

  function connect() {
    const query = new URLSearchParams({ view });
    if (project) query.set('project', project);
    if (service) query.set('service', service);
    if (replica) query.set('replica', replica);
    const source = new EventSource(`/live?${query}`);
    source.onopen = () => setConn('live', 'ok');
    // EventSource reconnects by itself; the badge says so meanwhile.
    source.onerror = () => setConn('reconnecting…', 'warn');
    source.addEventListener('fragment', (e) => applyFragment(e.data));
    source.addEventListener('history', (e) => drawHistory(JSON.parse(e.data)));
    source.addEventListener('daemon-event', (e) => {
      if (view === 'events') prependEvent(JSON.parse(e.data));
    });
  }

  function setConn(text, tone) {
    conn.textContent = text;
    conn.className = `conn ${tone}`;
  }

  function prependEvent(ev) {
    const list = document.getElementById('timeline');
    if (!list) return;
    list.querySelector('.empty')?.remove();
    const li = document.createElement('li');
    li.dataset.type = ev.type;
    const t = document.createElement('time');
    t.dateTime = ev.time;
    const strong = document.createElement('strong');
    strong.textContent = ev.type;
    const where = document.createElement('span');
    where.className = 'where';
    where.textContent = [ev.project, ev.service, ev.replica === undefined ? undefined : `#${ev.replica}`].filter((x) => x !== undefined).join(' ');
    li.append(t, ' ', strong, ' ', where, ` ${ev.message}`);
    list.prepend(li);
    relativeTimes();
  }

  // ---- times --------------------------------------------------------------------------------

  function relativeTimes() {
    const now = Date.now();
    for (const t of document.querySelectorAll('time[datetime]')) {
      const at = Date.parse(t.dateTime);
      if (Number.isNaN(at)) continue;
      const s = Math.round((at - now) / 1000);
      const abs = Math.abs(s);
      const text = abs < 90 ? `${abs}s` : abs < 5400 ? `${Math.round(abs / 60)}m` : `${Math.round(abs / 3600)}h`;
      t.textContent = s > 0 ? `in ${text}` : `${text} ago`;
      t.title = new Date(at).toLocaleString();
    }
  }

  // ---- actions ------------------------------------------------------------------------------

  const ACTIONS = {
    restart: (s) => `Restart service ${s} now? Each replica is replaced by a new container.`,
    stop: (s) => `Stop service ${s}? Its containers stop and stay stopped until you start it.`,
    start: (s) => `Start service ${s} again?`,
    scale: (s, n) => `Scale service ${s} to ${n} replicas?`,
  };

  function confirmAction(text) {
    document.getElementById('confirm-text').textContent = text;
    dialog.returnValue = '';
    dialog.showModal();
    return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
  }

  document.addEventListener('click', async (e) => {
    const button = e.target.closest('button[data-action]');
    if (!button) return;
    const { action, project: p, service: s } = button.dataset;
    let replicas;
    if (action === 'scale') {
      const input = button.parentElement.querySelector('[data-scale-input]');
      replicas = Number(input.value);
      if (!Number.isInteger(replicas) || replicas < 0) return toast(`replicas: ${input.value} is not a whole number of 0 or more`, 'bad');
    }
    if (!(await confirmAction(ACTIONS[action](s, replicas)))) return flushPending();
    const path = `/v1/projects/${encodeURIComponent(p)}/services/${encodeURIComponent(s)}/${action}`;
    try {
      // The custom header is what the daemon's cross-site check asks of a cookie-carrying request.
      const res = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-composed-request': '1' },
        body: JSON.stringify(action === 'scale' ? { replicas } : {}),
      });
      const answer = await res.json().catch(() => ({}));
      if (!res.ok) toast(`${action} ${s}: ${answer.error || res.status}`, 'bad');
      else toast(`${action} ${s}: done`, 'ok');
    } catch (error) {
      toast(`${action} ${s}: ${error}`, 'bad');
    }
    flushPending();
  });

  function flushPending() {
    if (pendingFragment !== undefined) applyFragment(pendingFragment);
  }
  document.addEventListener('focusout', () => setTimeout(flushPending, 0));

  let toastTimer;
  function toast(text, tone) {
    const el = document.getElementById('toast');
    el.textContent = text;
    el.className = tone;
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (el.hidden = true), 6000);
  }

  // ---- plots --------------------------------------------------------------------------------

  // Okabe and Ito's palette, told apart by people with any colour vision; each replica also gets
  // its own dash pattern, and the legend names it.
  const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000'];
  const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2', '10 4'];
  const RESTART_SYMBOL = { exit: 'E', oom: 'O', unhealthy: 'U', removed: 'R' };
  const W = 640;
  const H = 200;
  const PAD = { left: 40, right: 8, top: 16, bottom: 22 };

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawHistory(h) {
    const plots = document.getElementById('plots');
    if (!plots) return;
    const now = Date.now();
    const first = h.samples.length > 0 ? h.samples[0].at - h.sampleIntervalMs : now;
    // Less than an hour recorded: the axis spans what there is, so a fresh service is readable.
    const x0 = Math.max(now - h.windowMs, Math.min(first, now - 60_000));
    const span = { x0, x1: now };
    const replicas = [...new Set(h.samples.flatMap((s) => Object.keys(s.cpu)))].sort((a, b) => Number(a) - Number(b));
    const cpuMax = Math.max(100, ...h.samples.flatMap((s) => Object.values(s.cpu)));
    const countMax = Math.max(1, ...h.samples.map((s) => Math.max(s.desired, s.ready)), h.autoscale ? h.autoscale.max : 0);

    const cpu = plot('CPU per replica (% of its limit, else of one core)', span, cpuMax, h.autoscale ? [{ y: h.autoscale.targetCpu, label: `target ${h.autoscale.targetCpu}%` }] : []);
    cpu.svg.dataset.plot = 'cpu';
    const legend = document.createElement('ul');
    legend.className = 'legend';
    replicas.forEach((n, i) => {
      const points = h.samples.filter((s) => s.cpu[n] !== undefined).map((s) => [cpu.x(s.at), cpu.y(s.cpu[n])]);
      const style = { stroke: COLOURS[i % COLOURS.length], 'stroke-dasharray': DASHES[i % DASHES.length] };
      cpu.svg.append(el('polyline', { points: points.map((p) => p.join(',')).join(' '), fill: 'none', 'stroke-width': 2, ...style, 'data-replica': n }));
      const latest = [...h.samples].reverse().find((s) => s.cpu[n] !== undefined);
      const li = document.createElement('li');
      li.dataset.cpuReplica = n;
      li.dataset.value = latest ? String(latest.cpu[n]) : '';
      const swatch = el('svg', { width: 28, height: 10, 'aria-hidden': 'true' });
      swatch.append(el('line', { x1: 0, y1: 5, x2: 28, y2: 5, 'stroke-width': 3, ...style }));
      li.append(swatch, ` ${h.service}-${n}: ${latest ? `${latest.cpu[n]}%` : '–'}`);
      legend.append(li);
    });

    const count = plot('Replicas: desired (solid) and ready (dashed)', span, countMax, []);
    count.svg.dataset.plot = 'replicas';
    count.svg.append(el('polyline', { points: steps(h.samples, (s) => s.desired, count), fill: 'none', stroke: COLOURS[0], 'stroke-width': 2 }));
    count.svg.append(el('polyline', { points: steps(h.samples, (s) => s.ready, count), fill: 'none', stroke: COLOURS[1], 'stroke-width': 2, 'stroke-dasharray': '5 3' }));

    for (const p of [cpu, count]) marks(p, h.marks, span);
    const key = document.createElement('p');
    key.className = 'note';
    key.textContent = '◆ scale decision (autoscaler or user) · restarts: E exit, O OOM kill, U unhealthy, R removed. Hover a mark for its reason.';
    const latestCount = h.samples.at(-1);
    const counts = document.createElement('p');
    counts.dataset.replicaCount = latestCount ? String(latestCount.desired) : '';
    counts.textContent = latestCount ? `now: ${latestCount.ready} ready of ${latestCount.desired} desired` : 'no samples yet';
    plots.replaceChildren(heading('Last hour'), cpu.figure, legend, count.figure, counts, key);
  }

  function heading(text) {
    const h2 = document.createElement('h2');
    h2.textContent = text;
    return h2;
  }

  function plot(title, span, yMax, guides) {
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    caption.textContent = title;
    const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'plot' });
    const x = (t) => PAD.left + ((t - span.x0) / Math.max(1, span.x1 - span.x0)) * (W - PAD.left - PAD.right);
    const y = (v) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);
    svg.append(el('rect', { x: PAD.left, y: PAD.top, width: W - PAD.left - PAD.right, height: H - PAD.top - PAD.bottom, class: 'frame' }));
    for (const v of [0, yMax / 2, yMax]) {
      svg.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: 'grid' }));
      svg.append(el('text', { x: PAD.left - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(Math.round(v))));
    }
    for (const g of guides) {
      svg.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: y(g.y), y2: y(g.y), class: 'guide' }));
      svg.append(el('text', { x: W - PAD.right - 2, y: y(g.y) - 3, 'text-anchor': 'end', class: 'tick' }, g.label));
    }
    const minutes = Math.round((span.x1 - span.x0) / 60_000);
    svg.append(el('text', { x: PAD.left, y: H - 4, class: 'tick' }, `${minutes} min ago`));
    svg.append(el('text', { x: W - PAD.right, y: H - 4, 'text-anchor': 'end', class: 'tick' }, 'now'));
    figure.append(caption, svg);
    return { figure, svg, x, y };
  }

  function steps(samples, value, p) {
    const out = [];
    samples.forEach((s, i) => {
      if (i > 0) out.push(`${p.x(s.at)},${p.y(value(samples[i - 1]))}`);
      out.push(`${p.x(s.at)},${p.y(value(s))}`);
    });
    return out.join(' ');
  }

  function marks(p, list, span) {
    for (const m of list) {
      if (m.at < span.x0) continue;
      const x = p.x(m.at);
      const g = el('g', { class: `mark ${m.kind}`, 'data-kind': m.kind, 'data-cause': m.cause });
      g.append(el('title', {}, `${new Date(m.at).toLocaleTimeString()} ${m.message}`));
      g.append(el('line', { x1: x, x2: x, y1: PAD.top, y2: H - PAD.bottom }));
      const label = m.kind === 'decision' ? '◆' : RESTART_SYMBOL[m.cause] || '?';
      g.append(el('text', { x, y: m.kind === 'decision' ? PAD.top - 3 : H - PAD.bottom + 12, 'text-anchor': 'middle' }, label));
      p.svg.append(g);
    }
  }

  async function loadHistory() {
    const res = await fetch(`/history/${encodeURIComponent(project)}/${encodeURIComponent(service)}`);
    if (res.ok) drawHistory(await res.json());
  }

  // ---- a replica's log ----------------------------------------------------------------------

  const MAX_LOG_LINES = 2000;

  async function followLog() {
    const pre = document.getElementById('log');
    const prefix = `${replica} | `;
    const query = new URLSearchParams({ service, follow: 'true', tail: '200' });
    for (;;) {
      try {
        const res = await fetch(`/v1/projects/${encodeURIComponent(project)}/logs?${query}`);
        if (!res.ok || !res.body) throw new Error(`logs: ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffered = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffered += value;
          const lines = buffered.split('\n');
          buffered = lines.pop();
          const mine = lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
          if (mine.length > 0) appendLog(pre, mine);
        }
      } catch (error) {
        appendLog(pre, [`(log stream interrupted: ${error.message}; reconnecting)`]);
      }
      // A fresh tail after a reconnect repeats a little; better than a gap.
      query.set('tail', '0');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  function appendLog(pre, lines) {
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.append(`${lines.join('\n')}\n`);
    const all = pre.textContent.split('\n');
    if (all.length > MAX_LOG_LINES) pre.textContent = all.slice(-MAX_LOG_LINES).join('\n');
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }

  // ---- start --------------------------------------------------------------------------------

  relativeTimes();
  setInterval(relativeTimes, 1000);
  connect();
  if (view === 'service') void loadHistory();
  if (view === 'logs') void followLog();
})();
