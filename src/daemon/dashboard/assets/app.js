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

  // ---- plots (drawn by plots.js) ------------------------------------------------------------

  function drawHistory(h) {
    const target = document.getElementById('plots');
    if (target) target.replaceChildren(...window.composedPlots.draw(h));
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
