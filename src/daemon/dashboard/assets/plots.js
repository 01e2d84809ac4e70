// The dashboard's plots of a service's last hour, as inline SVG: CPU per replica and the replica
// count, each scale decision and restart marked. Hand-written like app.js, which calls draw().
'use strict';

(() => {
  const SVG = 'http://www.w3.org/2000/svg';

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

  /** The nodes of a service's history section: both plots, the legend and the key. */
  function draw(h) {
    const now = Date.now();
    const first = h.samples.length > 0 ? h.samples[0].at - h.sampleIntervalMs : now;
    // Less than an hour recorded: the axis spans what there is, so a fresh service is readable.
    const x0 = Math.max(now - h.windowMs, Math.min(first, now - 60_000));
    const span = { x0, x1: now };
    const replicas = [...new Set(h.samples.flatMap((s) => Object.keys(s.cpu)))].sort((a, b) => Number(a) - Number(b));
    const cpuMax = Math.max(100, ...h.samples.flatMap((s) => Object.values(s.cpu)));
    const countMax = Math.max(1, ...h.samples.map((s) => Math.max(s.desired, s.ready)), h.autoscale ? h.autoscale.max : 0);

    const cpu = plot('CPU per replica (% of its limit, else of one core)', span, cpuMax, h.autoscale?.targetCpu !== undefined ? [{ y: h.autoscale.targetCpu, label: `target ${h.autoscale.targetCpu}%` }] : []);
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
    return [heading('Last hour'), cpu.figure, legend, count.figure, counts, key];
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

  window.composedPlots = { draw };
})();
