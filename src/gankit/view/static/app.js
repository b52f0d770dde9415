// gankit view: the browser side of a local, read-only viewer for GAN training runs.
// Plain JavaScript, no libraries, no requests to anything but the local gankit server.
'use strict';

const PANEL_TITLES = {
  game: 'The game', lab: 'GAN Lab', explore: 'Explore', translate: 'Translate',
  text2img: 'Text to image', music: 'Music', detect: 'Detect',
};
const PANEL_SETUP = {
  game: setupGame, lab: setupLab, explore: setupExplore,
  translate: setupTranslate, text2img: setupText2img, music: setupMusic,
};
const COLORS = {
  lossD: '#d9534f', lossG: '#2f6fdb', real: '#2e8b57', fake: '#8e44ad',
  overall: '#374151', aug: '#e67e22', marker: '#e67e22', grid: '#eceff3',
  axis: '#c7ccd4', tick: '#6b7280', ref: '#6b7280',
};
const EXTRA_COLORS = ['#0ea5a4', '#b45309', '#be185d', '#4d7c0f', '#1e40af', '#7c3aed'];
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const LAB_REAL = [96, 184, 120];
const LAB_FAKE = [170, 120, 205];

const state = {
  runs: [], runsKey: '', runId: null, run: null, gen: 0,
  panel: 'detect', chosenPanel: null, cleanups: [], onShow: {},
};

/* ------------------------------------------------------------------ helpers */

// Shorthand for querySelector.
function $(selector, root = document) {
  return root.querySelector(selector);
}

// Create an element with attributes and (escaped) text content.
function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value);
  }
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// Build a relative URL with encoded query parameters (null, undefined and '' are left out).
function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') query.append(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

// Read a response body as JSON, or null when it is not JSON.
async function readJson(res) {
  try {
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  } catch (err) {
    return null;
  }
}

// Fetch JSON; throw an Error carrying the server's {"error": ...} message on failure.
async function api(url, options = {}) {
  let res;
  try {
    res = await fetch(url, Object.assign({ cache: 'no-store' }, options));
  } catch (err) {
    throw new Error('Cannot reach the gankit server. Is `gankit view` still running?');
  }
  const body = await readJson(res);
  if (!res.ok) throw new Error((body && body.error) || `The server answered ${res.status} ${res.statusText}`.trim());
  if (body === null) throw new Error('The server sent an answer that is not JSON.');
  return body;
}

// Show a message in an .error box, or hide the box when the message is empty.
function showError(box, message) {
  if (!box) return;
  box.textContent = message || '';
  box.hidden = !message;
}

// Fetch an image URL that failed to load and return the server's error message.
async function imageError(url) {
  try {
    const res = await fetch(url, { cache: 'no-store' });
    const body = res.ok ? null : await readJson(res);
    if (body && body.error) return body.error;
    return res.ok ? 'The image could not be displayed.' : `The server answered ${res.status}.`;
  } catch (err) {
    return 'Cannot reach the gankit server. Is `gankit view` still running?';
  }
}

// Attach load/error handlers to an <img> that shows server-made images.
function watchImage(img, errBox) {
  img.addEventListener('load', () => {
    img.classList.remove('loading', 'failed');
    img.hidden = false;
    img.dataset.key = new URL(img.src).search.slice(1);
    showError(errBox, '');
  });
  img.addEventListener('error', () => {
    const want = img.dataset.want;
    if (!want || new URL(want, location.href).href !== img.src) return;
    img.classList.remove('loading');
    img.classList.add('failed');
    imageError(want).then((msg) => {
      if (img.dataset.want === want) showError(errBox, msg);
    });
  });
}

// Point an <img> (and its download link) at an image endpoint.
function loadImage(img, url, link) {
  img.dataset.want = url;
  img.classList.add('loading');
  img.src = url;
  if (link) {
    link.href = `${url}&download=1`;
    link.hidden = false;
  }
}

// A whole number from a number input (0 when empty or invalid).
function intValue(input, fallback = 0) {
  const value = parseInt(input.value, 10);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

// Format a count with thousands separators.
function fmtInt(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US') : '–';
}

// Format a metric value compactly ("23.4", "0.512").
function fmtMetric(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

// Format an axis tick label ("2500", "12.5k", "0.25").
function fmtTick(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(+v.toPrecision(4));
}

// A coloured status badge.
function badge(status) {
  return el('span', { class: `badge status-${status || 'empty'}` }, status || 'unknown');
}

// Let a drop zone and its file input hand a chosen file to onFile.
function setupDropZone(zone, input, onFile) {
  input.addEventListener('change', () => {
    const file = input.files && input.files[0];
    if (file) onFile(file);
    input.value = '';
  });
  zone.addEventListener('dragover', (ev) => { ev.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    zone.classList.remove('over');
    const file = ev.dataTransfer && ev.dataTransfer.files[0];
    if (file) onFile(file);
  });
}

// POST one file's bytes as the request body and return the JSON answer.
function postImage(url, file) {
  return api(url, { method: 'POST', body: file, headers: { 'Content-Type': 'application/octet-stream' } });
}

// An <img> for a data: URL sent by the server (anything else is refused).
function dataImage(src, alt) {
  const img = el('img', { class: 'pixel', alt });
  if (typeof src === 'string' && src.startsWith('data:image/')) img.src = src;
  return img;
}

/* ---------------------------------------------------------------- run list */

// Poll /api/runs every 3 s (one request at a time) and refresh the sidebar.
async function pollRuns() {
  try {
    renderRuns(await api('/api/runs'));
    showError($('#runs-error'), '');
  } catch (err) {
    showError($('#runs-error'), err.message);
  }
  setTimeout(pollRuns, 3000);
}

// Redraw the run table and the empty-state message; select a lone run.
function renderRuns(data) {
  state.runs = Array.isArray(data.runs) ? data.runs : [];
  $('#runs-root').textContent = data.root ? `runs in ${data.root}` : '';
  const key = JSON.stringify(state.runs);
  if (key !== state.runsKey) {
    state.runsKey = key;
    $('#runs-body').replaceChildren(...state.runs.map(runRow));
  }
  const none = state.runs.length === 0;
  $('#runs').hidden = none;
  const empty = $('#empty-message');
  empty.textContent = none ? (data.message || 'No runs found.') : '';
  empty.hidden = !none;
  const note = $('#runs-message');
  note.textContent = !none && data.message ? data.message : '';
  note.hidden = none || !data.message;
  if (!state.runId && state.runs.length === 1 && !state.runs[0].problem) selectRun(state.runs[0].id);
  const mine = state.runs.find((r) => r.id === state.runId);
  if (mine && state.run) updateStatus(mine.status, mine.steps_done, mine.steps_total);
  if (mine && state.run && state.run.panels.length <= 1 && mine.steps_done !== state.checkedAt) {
    state.checkedAt = mine.steps_done;
    recheckRun(state.runId, state.gen);
  }
}

// A run picked before its first checkpoint has only its game: once one lands, build its other panels.
async function recheckRun(id, gen) {
  try {
    const run = await api(apiUrl('/api/run', { run: id }));
    if (gen !== state.gen || !state.run) return;
    const same = JSON.stringify([run.panels, run.controls, run.class_names]) ===
      JSON.stringify([state.run.panels, state.run.controls, state.run.class_names]);
    if (same) return;
    const panel = state.panel;
    teardownRun();
    state.runId = null;
    state.panel = panel;
    await selectRun(id);
  } catch (err) {
    // the list keeps polling; the next change tries again
  }
}

// One <tr> of the run table.
function runRow(run) {
  const tr = el('tr', { 'data-run': run.id, title: [run.game, run.kind].filter(Boolean).join(' · ') });
  const name = el('td', { class: 'name' });
  name.append(el('div', { class: 'run-name' }, run.name || run.id));
  if (run.name && run.name !== run.id) name.append(el('div', { class: 'run-id' }, run.id));
  if (run.problem) name.append(el('div', { class: 'problem' }, run.problem));
  const status = el('td');
  status.append(badge(run.status));
  const best = run.best ? `${run.best.metric} ${fmtMetric(run.best.value)}` : '–';
  const bestCell = el('td', { class: 'num' }, best);
  if (run.best && run.best.step !== null && run.best.step !== undefined) bestCell.title = `best at step ${run.best.step}`;
  const acc = typeof run.acc === 'number' ? run.acc.toFixed(3) : '–';
  tr.append(name, stepsCell(run), status, el('td', { class: 'num' }, acc), bestCell);
  if (run.problem) {
    tr.classList.add('broken');
    tr.setAttribute('aria-disabled', 'true');
  } else {
    tr.classList.add('clickable');
    tr.tabIndex = 0;
    tr.addEventListener('click', () => selectRun(run.id));
    tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') selectRun(run.id); });
  }
  tr.classList.toggle('selected', run.id === state.runId);
  return tr;
}

// The "done / total" cell with a thin progress bar.
function stepsCell(run) {
  const td = el('td', { class: 'steps' });
  td.append(el('div', {}, `${fmtInt(run.steps_done)} / ${fmtInt(run.steps_total)}`));
  const bar = el('div', { class: 'progress' });
  const fill = el('div', { class: 'bar' });
  const frac = run.steps_total > 0 ? Math.min(1, run.steps_done / run.steps_total) : 0;
  fill.style.width = `${(frac * 100).toFixed(1)}%`;
  bar.append(fill);
  td.append(bar);
  return td;
}

// Highlight the selected row of the run table.
function markSelectedRow() {
  for (const tr of document.querySelectorAll('#runs-body tr')) {
    tr.classList.toggle('selected', tr.dataset.run === state.runId);
  }
}

// The run id written in location.hash as #run=RUN, or null.
function hashRun() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  return params.get('run');
}

/* -------------------------------------------------------- selection & tabs */

// Select a run: remember it in the URL hash, load its description and build its panels.
async function selectRun(id) {
  if (!id || (id === state.runId && state.run)) return;
  teardownRun();
  state.runId = id;
  const gen = ++state.gen;
  if (hashRun() !== id) location.hash = `run=${encodeURIComponent(id)}`;
  markSelectedRow();
  $('#run-header').hidden = false;
  $('#run-name').textContent = id;
  $('#run-description').textContent = 'loading…';
  $('#run-status').hidden = true;
  $('#run-steps').textContent = '';
  showError($('#run-error'), '');
  try {
    const run = await api(apiUrl('/api/run', { run: id }));
    if (gen !== state.gen) return;
    state.run = run;
    renderHeader(run);
    buildPanels(run);
  } catch (err) {
    if (gen !== state.gen) return;
    $('#run-description').textContent = '';
    showError($('#run-error'), err.message);
  }
}

// Stop the timers of the current run and remove its tabs and panels (Detect stays).
function teardownRun() {
  for (const stop of state.cleanups) stop();
  state.cleanups = [];
  state.onShow = {};
  state.run = null;
  for (const tab of document.querySelectorAll('#tabs .tab:not([data-panel="detect"])')) tab.remove();
  for (const sec of document.querySelectorAll('#panels > .panel:not(#panel-detect)')) sec.remove();
  showPanel('detect', false);
}

// Fill the header of the main area from /api/run.
function renderHeader(run) {
  $('#run-name').textContent = run.name || run.id;
  const bits = [run.description, run.game && `game: ${run.game}`, run.objective && `objective: ${run.objective}`];
  $('#run-description').textContent = bits.filter(Boolean).join(' · ');
  updateStatus(run.status, run.steps_done, run.steps_total);
}

// Update the status badge and the step counter in the header.
function updateStatus(status, done, total) {
  if (status === undefined) return;
  const badgeEl = $('#run-status');
  badgeEl.className = `badge status-${status || 'empty'}`;
  badgeEl.textContent = status || 'unknown';
  badgeEl.hidden = false;
  if (typeof done === 'number') $('#run-steps').textContent = `step ${fmtInt(done)} / ${fmtInt(total)}`;
}

// Create a tab and a panel for each entry of run.panels; Detect stays last.
function buildPanels(run) {
  const detectTab = $('#tabs .tab[data-panel="detect"]');
  const detectPanel = $('#panel-detect');
  const names = [];
  for (const name of run.panels || []) {
    const tpl = document.getElementById(`tpl-${name}`);
    if (!tpl || !PANEL_SETUP[name] || names.includes(name)) continue;
    const section = tpl.content.firstElementChild.cloneNode(true);
    section.hidden = true;
    detectPanel.before(section);
    detectTab.before(el('button', { class: 'tab', type: 'button', role: 'tab', 'data-panel': name }, PANEL_TITLES[name]));
    names.push(name);
    PANEL_SETUP[name](section, run);
  }
  showPanel(names.includes(state.chosenPanel) || state.chosenPanel === 'detect' ? state.chosenPanel : names[0] || 'detect', false);
}

// Show one panel and mark its tab; runs the panel's on-show hook.
function showPanel(name, byUser) {
  if (byUser) state.chosenPanel = name;
  for (const tab of document.querySelectorAll('#tabs .tab')) {
    const on = tab.dataset.panel === name;
    tab.classList.toggle('active', on);
    tab.setAttribute('aria-selected', String(on));
  }
  for (const sec of document.querySelectorAll('#panels > .panel')) sec.hidden = sec.id !== `panel-${name}`;
  state.panel = name;
  const hook = state.onShow[name];
  if (hook) hook();
}

/* ------------------------------------------------------------------- chart */

// Draw a line chart. series: [{label, color, points: [[x, y], ...], dash}];
// opts: {refLine: {y, label}, markers: [{x, title}], include: [y, ...], rowCount, lastStep, empty}.
function drawChart(canvas, series, opts = {}) {
  const { ctx, w, h } = chartContext(canvas);
  const markers = opts.markers || [];
  const ref = opts.refLine && Number.isFinite(opts.refLine.y) ? opts.refLine : null;
  const box = { left: 48, right: w - 14, top: 28, bottom: h - 24 };
  const xs = [];
  const ys = (opts.include || []).slice();
  for (const s of series) for (const [x, y] of s.points) { xs.push(x); ys.push(y); }
  for (const m of markers) xs.push(m.x);
  if (ref) ys.push(ref.y);
  canvas._markers = [];
  if (!xs.length) {
    drawEmpty(ctx, box, opts.empty || 'waiting for data…');
  } else {
    const sc = chartScales(box, xs, ys);
    drawAxes(ctx, box, sc);
    canvas._markers = drawMarkers(ctx, box, sc, markers);
    for (const s of series) drawSeries(ctx, sc, s);
    if (ref) drawRefLine(ctx, box, sc, ref);
    drawLegend(ctx, box, series, markers.length > 0);
  }
  const longest = Math.max(0, ...series.map((s) => s.points.length));
  const last = series.flatMap((s) => s.points.slice(-1).map((p) => p[0]));
  canvas.dataset.points = String(opts.rowCount !== undefined ? opts.rowCount : longest);
  canvas.dataset.lastStep = String(opts.lastStep !== undefined ? opts.lastStep : (last.length ? Math.max(...last) : ''));
  watchMarkers(canvas);
}

// Size a canvas for the device pixel ratio and return a cleared 2-D context.
function chartContext(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 480;
  const h = canvas.clientHeight || 210;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = FONT;
  return { ctx, w, h };
}

// Smallest and largest finite value of a list (safe for long lists).
function extent(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

// Round tick positions between lo and hi, about n of them.
function niceTicks(lo, hi, n, minStep = 0) {
  const raw = (hi - lo) / Math.max(1, n);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  step = Math.max(step, minStep);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

// Map data to pixels: x and y functions plus tick lists.
function chartScales(box, xs, ys) {
  let [x0, x1] = extent(xs);
  let [y0, y1] = extent(ys);
  if (x0 === x1) { x0 -= 1; x1 += 1; }
  if (y0 === y1) { y0 -= 0.5; y1 += 0.5; }
  const pad = (y1 - y0) * 0.06;
  y0 -= pad;
  y1 += pad;
  const width = box.right - box.left;
  const height = box.bottom - box.top;
  return {
    x: (v) => box.left + ((v - x0) / (x1 - x0)) * width,
    y: (v) => box.bottom - ((v - y0) / (y1 - y0)) * height,
    xt: niceTicks(x0, x1, Math.max(2, Math.floor(width / 80)), 1),
    yt: niceTicks(y0, y1, Math.max(2, Math.floor(height / 40))),
  };
}

// Grid lines, tick labels and the two axes.
function drawAxes(ctx, box, sc) {
  ctx.lineWidth = 1;
  ctx.fillStyle = COLORS.tick;
  ctx.strokeStyle = COLORS.grid;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of sc.yt) {
    const y = Math.round(sc.y(t)) + 0.5;
    ctx.beginPath(); ctx.moveTo(box.left, y); ctx.lineTo(box.right, y); ctx.stroke();
    ctx.fillText(fmtTick(t), box.left - 6, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of sc.xt) ctx.fillText(fmtTick(t), sc.x(t), box.bottom + 6);
  ctx.textAlign = 'left';
  ctx.fillText('step', 4, box.bottom + 6);
  ctx.strokeStyle = COLORS.axis;
  ctx.beginPath();
  ctx.moveTo(box.left + 0.5, box.top);
  ctx.lineTo(box.left + 0.5, box.bottom + 0.5);
  ctx.lineTo(box.right, box.bottom + 0.5);
  ctx.stroke();
}

// One data series as a polyline (a dot when it has a single point).
function drawSeries(ctx, sc, s) {
  ctx.strokeStyle = s.color;
  ctx.fillStyle = s.color;
  ctx.lineWidth = 1.6;
  ctx.lineJoin = 'round';
  ctx.setLineDash(s.dash ? [6, 4] : []);
  if (s.points.length === 1) {
    ctx.beginPath();
    ctx.arc(sc.x(s.points[0][0]), sc.y(s.points[0][1]), 2.5, 0, 2 * Math.PI);
    ctx.fill();
    return;
  }
  ctx.beginPath();
  s.points.forEach(([x, y], i) => (i ? ctx.lineTo(sc.x(x), sc.y(y)) : ctx.moveTo(sc.x(x), sc.y(y))));
  ctx.stroke();
  ctx.setLineDash([]);
}

// A dashed horizontal reference line with its label.
function drawRefLine(ctx, box, sc, ref) {
  const y = Math.round(sc.y(ref.y)) + 0.5;
  ctx.strokeStyle = COLORS.ref;
  ctx.lineWidth = 1;
  ctx.setLineDash([5, 4]);
  ctx.beginPath(); ctx.moveTo(box.left, y); ctx.lineTo(box.right, y); ctx.stroke();
  ctx.setLineDash([]);
  if (!ref.label) return;
  const width = ctx.measureText(ref.label).width;
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(box.right - width - 8, y - 17, width + 6, 14);
  ctx.fillStyle = COLORS.ref;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'bottom';
  ctx.fillText(ref.label, box.right - 5, y - 4);
}

// Vertical event markers; returns their pixel positions for the hover titles.
function drawMarkers(ctx, box, sc, markers) {
  ctx.strokeStyle = COLORS.marker;
  ctx.fillStyle = COLORS.marker;
  ctx.lineWidth = 1.2;
  return markers.map((m) => {
    const x = Math.round(sc.x(m.x)) + 0.5;
    ctx.setLineDash([3, 3]);
    ctx.beginPath(); ctx.moveTo(x, box.top); ctx.lineTo(x, box.bottom); ctx.stroke();
    ctx.setLineDash([]);
    ctx.beginPath(); ctx.moveTo(x - 4, box.top); ctx.lineTo(x + 4, box.top); ctx.lineTo(x, box.top + 6); ctx.fill();
    return { px: x, title: m.title };
  });
}

// The legend along the top edge of the chart.
function drawLegend(ctx, box, series, withMarkers) {
  const items = series.filter((s) => s.points.length).map((s) => ({ label: s.label, color: s.color, dash: s.dash }));
  if (withMarkers) items.push({ label: 'balance event', color: COLORS.marker, marker: true });
  let x = box.left;
  const y = 12;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.lineWidth = 2;
  for (const item of items) {
    ctx.strokeStyle = item.color;
    ctx.setLineDash(item.dash || item.marker ? [3, 3] : []);
    ctx.beginPath();
    if (item.marker) { ctx.moveTo(x + 7, y - 6); ctx.lineTo(x + 7, y + 6); } else { ctx.moveTo(x, y); ctx.lineTo(x + 16, y); }
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#374151';
    ctx.fillText(item.label, x + 21, y);
    x += 21 + ctx.measureText(item.label).width + 16;
  }
}

// The placeholder text of a chart with no data yet.
function drawEmpty(ctx, box, text) {
  ctx.fillStyle = COLORS.tick;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, (box.left + box.right) / 2, (box.top + box.bottom) / 2);
}

// Show an event marker's text as the canvas title when the pointer is near it.
function watchMarkers(canvas) {
  if (canvas.dataset.hover) return;
  canvas.dataset.hover = '1';
  canvas.addEventListener('mousemove', (ev) => {
    const x = ev.clientX - canvas.getBoundingClientRect().left;
    const hit = (canvas._markers || []).find((m) => Math.abs(m.px - x) <= 5);
    canvas.title = hit ? hit.title : '';
    canvas.style.cursor = hit ? 'help' : '';
  });
}

/* -------------------------------------------------------------- game panel */

// Set up the live panel: poll /api/live every second and redraw the charts.
function setupGame(section, run) {
  const live = {
    gen: state.gen, rows: [], columns: [], balance: [], grid: null, timer: null,
    threshold: run.threshold, probability: run.probability,
  };
  const tick = async () => {
    if (live.gen !== state.gen) return;
    await pollLive(live);
    if (live.gen === state.gen) live.timer = setTimeout(tick, 1000);
  };
  const onResize = () => { clearTimeout(live.resize); live.resize = setTimeout(() => drawLive(live), 150); };
  window.addEventListener('resize', onResize);
  state.cleanups.push(() => { clearTimeout(live.timer); window.removeEventListener('resize', onResize); });
  state.onShow.game = () => drawLive(live);
  $('#grid', section).addEventListener('error', () => { $('#grid-caption').textContent = 'the sample grid could not be loaded'; });
  tick();
}

// Fetch the rows logged since the last poll and merge them into the history kept here.
async function pollLive(live) {
  const box = $('#live-error');
  try {
    const n = live.rows.length;
    const last = n ? live.rows[n - 1].step : undefined;
    const data = await api(apiUrl('/api/live', { run: state.runId, since: n, last }));
    if (live.gen !== state.gen) return;
    const changed = mergeLive(live, data);
    showError(box, '');
    if (changed || !live.drawn) drawLive(live);
  } catch (err) {
    if (live.gen === state.gen) showError(box, err.message);
  }
}

// Merge one /api/live answer into the client-side state; true when something changed.
function mergeLive(live, data) {
  const rows = Array.isArray(data.rows) ? data.rows : [];
  const before = `${live.rows.length}|${live.balance.length}|${live.threshold}|${JSON.stringify(live.grid)}`;
  if (data.reset) live.rows = rows.slice();
  else if (typeof data.total_rows === 'number' && data.total_rows < live.rows.length) live.rows = [];
  else for (const row of rows) live.rows.push(row);
  if (Array.isArray(data.columns)) live.columns = data.columns;
  live.balance = Array.isArray(data.balance) ? data.balance : [];
  if (typeof data.threshold === 'number') live.threshold = data.threshold;
  if (typeof data.probability === 'boolean') live.probability = data.probability;
  live.grid = data.grid || null;
  updateStatus(data.status, data.steps_done, data.steps_total);
  const after = `${live.rows.length}|${live.balance.length}|${live.threshold}|${JSON.stringify(live.grid)}`;
  return data.reset || before !== after;
}

// Step of a metrics row (its index when the row has no step column).
function stepOf(row, i) {
  return Number.isFinite(row.step) ? row.step : i;
}

// One chart series from a column of the rows (empty when the column is missing).
function column(rows, name, label, color, dash) {
  const points = [];
  rows.forEach((row, i) => {
    if (typeof row[name] === 'number' && Number.isFinite(row[name])) points.push([stepOf(row, i), row[name]]);
  });
  return { label, color, dash, points };
}

// Names of all columns seen in the live data.
function columnNames(live) {
  const names = new Set(live.columns);
  const rows = live.rows;
  for (const row of [rows[0], rows[rows.length - 1]]) if (row) Object.keys(row).forEach((k) => names.add(k));
  return names;
}

// Draw the four live charts, the sample grid and the balance log.
function drawLive(live) {
  if (!$('#chart-loss')) return;
  live.drawn = true;
  const rows = live.rows;
  const names = columnNames(live);
  const base = { rowCount: rows.length, lastStep: rows.length ? stepOf(rows[rows.length - 1], rows.length - 1) : '' };
  const losses = ['loss_d', 'loss_g'].concat([...names].filter((n) => n.startsWith('loss_') && n !== 'loss_d' && n !== 'loss_g').sort());
  const lossLabel = { loss_d: 'loss D', loss_g: 'loss G' };
  const lossColor = (n, i) => ({ loss_d: COLORS.lossD, loss_g: COLORS.lossG }[n] || EXTRA_COLORS[i % EXTRA_COLORS.length]);
  drawChart($('#chart-loss'), losses.map((n, i) => column(rows, n, lossLabel[n] || n, lossColor(n, i))).filter((s) => s.points.length), base);
  const refLabel = live.probability ? '0.5: D cannot tell' : `decision line ${live.threshold}`;
  drawChart($('#chart-d'), [column(rows, 'd_real', 'D(x)', COLORS.real), column(rows, 'd_fake', 'D(G(z))', COLORS.fake)],
    Object.assign({ refLine: { y: live.threshold, label: refLabel }, include: live.probability ? [0, 1] : [] }, base));
  drawChart($('#chart-acc'), [column(rows, 'acc_real', 'D accuracy on real', COLORS.real),
    column(rows, 'acc_fake', 'on fake', COLORS.fake), column(rows, 'acc', 'overall', COLORS.overall)],
  Object.assign({ refLine: { y: 0.5, label: 'equilibrium 0.5' }, include: [0, 1] }, base));
  drawAug(live, names, base);
  showGrid(live.grid);
  const last = rows.length ? `${fmtInt(rows.length)} rows logged · last step ${fmtInt(base.lastStep)}` : 'no metrics logged yet';
  $('#live-info').textContent = `${last} · updated every second`;
}

// The augmentation / balance chart, hidden when the run has neither.
function drawAug(live, names, base) {
  const box = $('#aug-box');
  const hasAug = names.has('aug_p');
  box.hidden = !hasAug && live.balance.length === 0;
  if (box.hidden) return;
  const markers = live.balance.map((b) => ({ x: b.step, title: `step ${b.step}: ${b.action} (${b.reason})` }));
  const series = hasAug ? [column(live.rows, 'aug_p', 'ADA p', COLORS.aug)] : [];
  drawChart($('#chart-aug'), series, Object.assign({ markers, include: hasAug ? [0] : [0, 1] }, base));
  renderBalanceLog(live.balance);
}

// The list under the balance chart: newest event first, at most 20.
function renderBalanceLog(balance) {
  const newest = balance.slice().reverse().sort((a, b) => b.step - a.step).slice(0, 20);
  $('#balance-log').replaceChildren(...newest.map((b) => {
    const li = el('li');
    li.append(el('span', { class: 'muted' }, `step ${fmtInt(b.step)} `), el('strong', {}, b.action), ` — ${b.reason || ''}`);
    return li;
  }));
}

// Show the newest fixed-z sample grid (src changes only when the URL does).
function showGrid(grid) {
  const img = $('#grid');
  if (!grid || !grid.url) {
    img.hidden = true;
    $('#grid-caption').textContent = 'no sample grid yet';
    return;
  }
  img.hidden = false;
  if (img.dataset.url !== grid.url) {
    img.dataset.url = grid.url;
    img.src = grid.url;
  }
  $('#grid-caption').textContent = `step ${fmtInt(grid.step)}`;
}

/* ---------------------------------------------------------------- GAN Lab */

// Set up the GAN Lab panel: a slider over the saved steps, a play button and the field canvas.
function setupLab(section) {
  const lab = { gen: state.gen, steps: [], token: 0, data: null, timer: null, play: null, ready: false };
  const slider = $('#lab-slider', section);
  slider.addEventListener('input', () => {
    stopPlay(lab);
    $('#lab-step').textContent = `step ${lab.steps[Number(slider.value)] ?? '–'}`;
    clearTimeout(lab.timer);
    lab.timer = setTimeout(() => loadLabStep(lab), 100);
  });
  $('#lab-play', section).addEventListener('click', () => togglePlay(lab));
  lab.refresh = setInterval(() => { if (state.panel === 'lab' && !lab.play) refreshLabSteps(lab); }, 5000);
  state.cleanups.push(() => { clearTimeout(lab.timer); clearInterval(lab.play); clearInterval(lab.refresh); });
  state.onShow.lab = () => {
    if (lab.data) drawLab($('#lab-canvas'), lab.data);
    if (lab.ready) refreshLabSteps(lab);
  };
  refreshLabSteps(lab);
}

// Fetch the list of saved steps; follow the newest one when the slider sits at the end.
async function refreshLabSteps(lab) {
  try {
    const data = await api(apiUrl('/api/lab/steps', { run: state.runId }));
    if (lab.gen !== state.gen) return;
    const steps = Array.isArray(data.steps) ? data.steps : [];
    const slider = $('#lab-slider');
    const shown = lab.steps[Number(slider.value)];
    const atEnd = !lab.ready || Number(slider.value) >= lab.steps.length - 1;
    const newest = steps[steps.length - 1] !== lab.steps[lab.steps.length - 1];
    lab.steps = steps;
    lab.ready = true;
    slider.max = String(Math.max(0, steps.length - 1));
    slider.disabled = steps.length === 0;
    showError($('#lab-error'), '');
    if (!steps.length) { $('#lab-step').textContent = 'no saved steps yet'; return; }
    if (atEnd && (newest || !lab.data)) {
      slider.value = String(steps.length - 1);
      loadLabStep(lab);
    } else {
      const kept = steps.indexOf(shown);  // old checkpoints are pruned: keep the step shown, not its index
      slider.value = String(kept >= 0 ? kept : 0);
      if (kept < 0) loadLabStep(lab);
    }
  } catch (err) {
    if (lab.gen === state.gen) showError($('#lab-error'), err.message);
  }
}

// Load and draw the step under the slider; answers that arrive late are ignored.
async function loadLabStep(lab) {
  const step = lab.steps[Number($('#lab-slider').value)];
  if (step === undefined) return;
  $('#lab-step').textContent = `step ${step}`;
  const token = ++lab.token;
  try {
    const data = await api(apiUrl('/api/lab', { run: state.runId, step }));
    if (token !== lab.token || lab.gen !== state.gen) return;
    lab.data = data;
    drawLab($('#lab-canvas'), data);
    showError($('#lab-error'), '');
  } catch (err) {
    if (token === lab.token && lab.gen === state.gen) showError($('#lab-error'), err.message);
  }
}

// Start or stop stepping through the saved steps, two per second.
function togglePlay(lab) {
  if (lab.play) return stopPlay(lab);
  if (!lab.steps.length) return undefined;
  const slider = $('#lab-slider');
  if (Number(slider.value) >= lab.steps.length - 1) slider.value = '0';
  loadLabStep(lab);
  $('#lab-play').textContent = '❚❚ Pause';
  lab.play = setInterval(() => {
    const next = Number(slider.value) + 1;
    if (next >= lab.steps.length) return stopPlay(lab);
    slider.value = String(next);
    return loadLabStep(lab);
  }, 500);
  return undefined;
}

// Stop the play loop of the GAN Lab panel.
function stopPlay(lab) {
  clearInterval(lab.play);
  lab.play = null;
  const button = $('#lab-play');
  if (button) button.textContent = '▶ Play';
}

// Draw D's surface as a heat map, then the gradient arrows, the real points and G's samples.
function drawLab(canvas, d) {
  const size = canvas.clientWidth || 520;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(size * dpr);
  canvas.height = Math.round(size * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const [x0, x1, y0, y1] = d.extent;
  const px = (x) => ((x - x0) / (x1 - x0)) * size;
  const py = (y) => size - ((y - y0) / (y1 - y0)) * size;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, size, size);
  if (d.n > 0 && Array.isArray(d.surface)) ctx.drawImage(heatImage(d), 0, 0, size, size);
  drawArrows(ctx, d.arrows || [], px, py);
  drawDots(ctx, d.real || [], px, py, 2.2, '#0b4f24', null);
  drawDots(ctx, d.fake || [], px, py, 3.4, '#7b2d9b', '#ffffff');
  $('#lab-extent').textContent = `x from ${fmtTick(x0)} to ${fmtTick(x1)}, y from ${fmtTick(y0)} to ${fmtTick(y1)}`;
  canvas.dataset.drawn = '1';
  canvas.dataset.step = String(d.step);
}

// The colour of one value of D's surface: green above the threshold, purple below, white at it.
function labColor(v, d) {
  const span = Math.max(d.vmax - d.threshold, d.threshold - d.vmin) || 1;
  const t = Math.max(-1, Math.min(1, (v - d.threshold) / span));
  const target = t >= 0 ? LAB_REAL : LAB_FAKE;
  const a = Math.abs(t);
  return target.map((c) => Math.round(255 + (c - 255) * a));
}

// An n×n offscreen canvas holding the heat map (row 0 of the surface at the bottom).
function heatImage(d) {
  const n = d.n;
  const off = document.createElement('canvas');
  off.width = n;
  off.height = n;
  const octx = off.getContext('2d');
  const image = octx.createImageData(n, n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const [red, green, blue] = labColor(d.surface[r * n + c], d);
      const i = ((n - 1 - r) * n + c) * 4;
      image.data[i] = red; image.data[i + 1] = green; image.data[i + 2] = blue; image.data[i + 3] = 255;
    }
  }
  octx.putImageData(image, 0, 0);
  return off;
}

// Thin grey segments from each sample along D's gradient.
function drawArrows(ctx, arrows, px, py) {
  ctx.strokeStyle = 'rgba(70, 70, 70, 0.55)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const [x, y, dx, dy] of arrows) {
    ctx.moveTo(px(x), py(y));
    ctx.lineTo(px(x + dx), py(y + dy));
  }
  ctx.stroke();
}

// Filled dots at data points, optionally with an outline.
function drawDots(ctx, points, px, py, radius, fill, outline) {
  ctx.fillStyle = fill;
  ctx.strokeStyle = outline || fill;
  ctx.lineWidth = 1.2;
  for (const [x, y] of points) {
    ctx.beginPath();
    ctx.arc(px(x), py(y), radius, 0, 2 * Math.PI);
    ctx.fill();
    if (outline) ctx.stroke();
  }
}

/* ---------------------------------------------------------------- explore */

// Set up the Explore panel: keep only the controls this run supports and wire them.
function setupExplore(section, run) {
  const controls = run.controls || {};
  const classes = Array.isArray(run.class_names) ? run.class_names : [];
  if (!controls.truncation) $('.psi-row', section).remove();
  if (controls.class) {
    $('#explore-class', section).replaceChildren(...classes.map((name) => el('option', { value: name }, name)));
  } else {
    $('.class-row', section).remove();
  }
  for (const sub of section.querySelectorAll('[data-control]')) {
    if (!controls[sub.dataset.control]) sub.remove();
  }
  wireSeedControls(section);
  watchImage($('#explore-image', section), $('#explore-error', section));
  setupSubImage(section, 'interp', interpUrl);
  setupSubImage(section, 'arith', () => apiUrl('/api/explore/arithmetic', { run: state.runId, expr: $('#arith-expr').value.trim() }));
  setupSubImage(section, 'mix', () => apiUrl('/api/explore/mix', { run: state.runId, rows: $('#mix-rows').value.trim(), cols: $('#mix-cols').value.trim(), psi: psiValue() }));
  prefillExplore(section, run, classes);
  updateExplore();
}

// Seed −/+/random buttons, the ψ slider and the class menu: each change redraws the sample.
function wireSeedControls(section) {
  const seed = $('#explore-seed', section);
  const setSeed = (v) => { seed.value = String(Math.max(0, v)); updateExplore(); };
  $('#explore-seed-down', section).addEventListener('click', () => setSeed(intValue(seed) - 1));
  $('#explore-seed-up', section).addEventListener('click', () => setSeed(intValue(seed) + 1));
  $('#explore-random', section).addEventListener('click', () => setSeed(Math.floor(Math.random() * 100000)));
  seed.addEventListener('input', updateExplore);
  const psi = $('#explore-psi', section);
  if (psi) {
    psi.addEventListener('input', () => {
      $('#explore-psi-value').textContent = Number(psi.value).toFixed(2);
      updateExplore();
    });
  }
  const cls = $('#explore-class', section);
  if (cls) cls.addEventListener('change', updateExplore);
}

// Default values for the interpolation and arithmetic inputs.
function prefillExplore(section, run, classes) {
  const a = $('#interp-a', section);
  if (a) {
    const named = run.conditional && classes.length >= 2;
    a.value = named ? classes[0] : '1';
    $('#interp-b', section).value = named ? classes[1] : '2';
  }
  const expr = $('#arith-expr', section);
  if (expr && classes.length >= 3) {
    expr.value = `${classes[0]} - ${classes[1]} + ${classes[2]}`;
    expr.placeholder = expr.value;
  } else if (expr && !classes.length) {
    expr.placeholder = 'e.g. 3 - 5 + 7 (seeds)';
  }
}

// The truncation ψ chosen on the panel (1 when the run has no truncation control).
function psiValue() {
  const psi = $('#explore-psi');
  return psi ? psi.value : '1';
}

// Show the sample for the current seed / ψ / class.
function updateExplore() {
  const params = { run: state.runId, seed: intValue($('#explore-seed')), psi: psiValue() };
  const cls = $('#explore-class');
  if (cls) params.cls = cls.value;
  loadImage($('#explore-image'), apiUrl('/api/explore/sample', params), $('#explore-download'));
}

// The URL of the latent walk between the two inputs.
function interpUrl() {
  const a = $('#interp-a').value.trim();
  const b = $('#interp-b').value.trim();
  const cls = $('#explore-class');
  const seeds = /^\d+$/.test(a) && /^\d+$/.test(b);  // between two seeds, walk within the class chosen above
  return apiUrl('/api/explore/interpolate', {
    run: state.runId, a, b, steps: intValue($('#interp-steps'), 9), cls: seeds && cls ? cls.value : undefined,
  });
}

// Wire one optional sub-section (form #NAME-form → img #NAME-image) when it is present.
function setupSubImage(section, name, makeUrl) {
  const form = $(`#${name}-form`, section);
  if (!form) return;
  const img = $(`#${name}-image`, form);
  watchImage(img, $(`#${name}-error`, form));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadImage(img, makeUrl(), $(`#${name}-download`, form));
  });
}

/* ------------------------------------------------------ translate, text, music */

// Set up the Translate panel: a dropped image is translated both ways.
function setupTranslate(section) {
  setupDropZone($('#translate-drop', section), $('#translate-file', section), sendTranslate);
}

// POST the image to /api/translate and show each input → output pair.
async function sendTranslate(file) {
  const gen = state.gen;
  const out = $('#translate-result');
  showError($('#translate-error'), '');
  out.replaceChildren(el('p', { class: 'muted' }, 'translating…'));
  try {
    const data = await postImage(apiUrl('/api/translate', { run: state.runId }), file);
    if (gen !== state.gen) return;
    out.replaceChildren(...(data.items || []).map(translatePair));
  } catch (err) {
    if (gen !== state.gen) return;
    out.replaceChildren();
    showError($('#translate-error'), err.message);
  }
}

// One "input → output" card of the Translate panel.
function translatePair(item) {
  const card = el('div', { class: 'card pair' });
  card.append(el('h3', {}, item.direction || ''));
  const row = el('div', { class: 'pair-row' });
  const fig = (src, caption) => {
    const f = el('figure');
    f.append(dataImage(src, caption), el('figcaption', { class: 'muted small' }, caption));
    return f;
  };
  row.append(fig(item.input, 'input'), el('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'), fig(item.output, 'output'));
  card.append(row);
  return card;
}

// Set up the Text to image panel: a caption and a seed give a row of eight drawings.
function setupText2img(section) {
  const img = $('#caption-image', section);
  watchImage(img, $('#caption-error', section));
  $('#caption-form', section).addEventListener('submit', (ev) => {
    ev.preventDefault();
    const url = apiUrl('/api/text2img', {
      run: state.runId, caption: $('#caption').value.trim(), seed: intValue($('#caption-seed')), n: 8,
    });
    loadImage(img, url, $('#caption-download'));
  });
}

// Set up the Music panel: compose on demand and show the piano roll, player and MIDI link.
function setupMusic(section) {
  const temp = $('#music-temp', section);
  temp.addEventListener('input', () => { $('#music-temp-value').textContent = Number(temp.value).toFixed(2); });
  watchImage($('#music-roll', section), $('#music-error', section));
  $('#music-form', section).addEventListener('submit', (ev) => {
    ev.preventDefault();
    compose();
  });
}

// Ask /api/music for a piece and show what came back.
async function compose() {
  const gen = state.gen;
  const box = $('#music-error');
  showError(box, '');
  try {
    const params = { run: state.runId, seed: intValue($('#music-seed')), temperature: $('#music-temp').value };
    const data = await api(apiUrl('/api/music', params));
    if (gen !== state.gen) return;
    $('#music-result').hidden = false;
    loadImage($('#music-roll'), data.roll);
    const player = $('#music-player');
    player.replaceChildren();
    if (data.wav) player.append(el('audio', { controls: '', id: 'music-audio', src: data.wav, preload: 'auto' }));
    $('#music-midi').href = data.midi || '#';
    $('#music-midi').hidden = !data.midi;
    $('#music-note').textContent = data.note || '';
    $('#music-note').hidden = !data.note;
  } catch (err) {
    if (gen === state.gen) showError(box, err.message);
  }
}

/* ----------------------------------------------------------------- detect */

// Set up the global Detect panel (present for every run, and with no run selected).
function setupDetect() {
  setupDropZone($('#detect-drop'), $('#detect-file'), sendDetect);
}

// POST the image to /api/detect and show the detectors' verdicts and the provenance check.
async function sendDetect(file) {
  const box = $('#detect-error');
  const result = $('#detect-result');
  showError(box, '');
  result.classList.add('busy');
  try {
    const data = await postImage(apiUrl('/api/detect', { run: state.runId }), file);
    renderDetect(data);
  } catch (err) {
    showError(box, err.message);
  } finally {
    result.classList.remove('busy');
  }
}

// Fill #detect-result from one /api/detect answer.
function renderDetect(data) {
  $('#detect-result').hidden = false;
  const img = $('#detect-image');
  if (typeof data.image === 'string' && data.image.startsWith('data:image/')) img.src = data.image;
  else img.removeAttribute('src');
  $('#detect-table tbody').replaceChildren(...(data.detectors || []).map(detectorRow));
  const prov = data.provenance || {};
  const line = $('#detect-provenance');
  const runs = Array.isArray(prov.runs) && prov.runs.length ? ` (runs: ${prov.runs.join(', ')})` : '';
  line.textContent = `${prov.summary || 'No provenance record.'}${runs}`;
  line.className = prov.found ? 'provenance found' : 'provenance';
  $('#detect-message').textContent = data.message || '';
  $('#detect-message').hidden = !data.message;
}

// One row of the detector table, with the probability as a percentage and a bar.
function detectorRow(det) {
  const tr = el('tr');
  const name = el('td');
  name.append(el('div', { class: 'run-name' }, det.name), el('div', { class: 'muted small' }, det.method || ''));
  const trained = el('td', { class: 'small' }, (det.trained_on || []).join(', ') || '–');
  const p = typeof det.probability === 'number' ? Math.max(0, Math.min(1, det.probability)) : null;
  const cell = el('td', { class: 'prob' });
  cell.append(el('span', { class: 'pct' }, p === null ? '–' : `${(p * 100).toFixed(1)} %`));
  const bar = el('div', { class: 'progress wide-bar' });
  const fill = el('div', { class: p !== null && p >= 0.5 ? 'bar hot' : 'bar cool' });
  fill.style.width = `${((p || 0) * 100).toFixed(1)}%`;
  bar.append(fill);
  cell.append(bar);
  tr.append(name, trained, cell);
  return tr;
}

/* ------------------------------------------------------------------- start */

// Wire the page once: tabs, hash navigation, the Detect panel and the run poll.
function start() {
  $('#tabs').addEventListener('click', (ev) => {
    const tab = ev.target.closest('.tab');
    if (tab) showPanel(tab.dataset.panel, true);
  });
  window.addEventListener('hashchange', () => {
    const id = hashRun();
    if (id && id !== state.runId) selectRun(id);
  });
  window.addEventListener('dragover', (ev) => ev.preventDefault());
  window.addEventListener('drop', (ev) => ev.preventDefault());
  setupDetect();
  showPanel('detect', false);
  const fromHash = hashRun();
  if (fromHash) selectRun(fromHash);
  pollRuns();
}

start();
