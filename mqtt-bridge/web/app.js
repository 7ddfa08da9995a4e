// camflow status page: the whole state once, then patches over Server-Sent Events. No framework and no
// build step: one element per camera, job and timeline entry, updated in place, at most once a frame.
// Everything from the server goes in through textContent or attributes, never as HTML.
'use strict';

const state = { cameras: new Map(), jobs: new Map(), timeline: [], figures: [], pipeline: 'off' };
const dirty = { cameras: new Set(), jobs: new Set(), timeline: false, figures: false, all: false };
const elements = { cameras: new Map(), jobs: new Map() };
const TIMELINE_SHOWN = 100;
let frame = 0;

/** Timing of the last full render and of the last update, for tests and the curious. */
window.camflowStatus = { fullRenderMs: undefined, lastUpdateMs: undefined, updates: 0 };

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') node.textContent = value;
    else if (key === 'className') node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function schedule() {
  if (frame !== 0) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    const started = performance.now();
    const full = dirty.all;
    render();
    const ms = performance.now() - started;
    if (full) window.camflowStatus.fullRenderMs = ms;
    window.camflowStatus.lastUpdateMs = ms;
    window.camflowStatus.updates++;
  });
}

function render() {
  if (dirty.all) {
    for (const id of state.cameras.keys()) dirty.cameras.add(id);
    for (const id of state.jobs.keys()) dirty.jobs.add(id);
    dirty.timeline = true;
    dirty.figures = true;
    dirty.all = false;
  }
  for (const id of dirty.cameras) renderCamera(state.cameras.get(id));
  dirty.cameras.clear();
  for (const id of dirty.jobs) renderJob(id, state.jobs.get(id));
  dirty.jobs.clear();
  if (dirty.timeline) renderTimeline();
  dirty.timeline = false;
  if (dirty.figures) renderFigures();
  dirty.figures = false;
  const cameras = [...state.cameras.values()];
  const online = cameras.filter((c) => c.online === true).length;
  const running = [...state.jobs.values()].filter((j) => j.state === 'active').length;
  document.getElementById('summary').textContent = `${online} of ${cameras.length} cameras online · ${running} jobs running`;
  document.getElementById('pipeline').textContent = state.pipeline === 'off' ? '(no pipeline in this process)' : `(${state.pipeline})`;
  document.getElementById('no-jobs').hidden = state.jobs.size > 0;
  document.getElementById('no-events').hidden = state.timeline.length > 0;
}

function renderCamera(camera) {
  if (camera === undefined) return;
  let tile = elements.cameras.get(camera.id);
  if (tile === undefined) {
    const picture = el('div', { className: 'picture' }, [el('span', { text: 'no picture yet' })]);
    tile = {
      root: el('article', { className: 'tile', 'data-camera': camera.id }),
      picture,
      name: el('div', { className: 'name' }),
      facts: el('div', { className: 'facts' }),
      error: el('div', { className: 'error' }),
      snapshotAt: undefined,
    };
    tile.root.append(picture, el('div', { className: 'body' }, [tile.name, tile.facts, tile.error]));
    elements.cameras.set(camera.id, tile);
    document.getElementById('cameras').append(tile.root);
  }
  tile.name.textContent = camera.name === camera.id ? camera.name : `${camera.name} (${camera.id})`;
  const facts = [
    camera.online === undefined ? el('span', { className: 'badge unknown', text: 'starting' }) : el('span', { className: `badge ${camera.online ? 'on' : 'off'}`, text: camera.online ? 'online' : 'offline' }),
    el('span', { className: 'muted', text: camera.kind }),
  ];
  if (camera.motion) facts.push(el('span', { className: 'badge motion', text: 'motion' }));
  if (camera.recording) facts.push(el('span', { className: 'badge off', text: 'recording' }));
  if (camera.connection !== undefined) facts.push(el('span', { className: 'muted', text: `via ${camera.connection}` }));
  if (camera.overlayMs !== undefined) facts.push(el('span', { className: 'muted', text: `overlay ${camera.overlayMs} ms` }));
  tile.facts.replaceChildren(...facts);
  tile.error.textContent = camera.lastError === undefined ? '' : `${timeOf(camera.lastErrorAt)} ${camera.lastError}`;
  tile.root.dataset.online = String(camera.online === true);
  if (camera.snapshotAt !== undefined && camera.snapshotAt !== tile.snapshotAt) {
    tile.snapshotAt = camera.snapshotAt;
    const img = el('img', { alt: `Latest picture of ${camera.name}`, src: `/api/cameras/${encodeURIComponent(camera.id)}/snapshot.jpg?at=${encodeURIComponent(camera.snapshotAt)}` });
    tile.picture.replaceChildren(img);
  }
}

function renderJob(id, job) {
  let row = elements.jobs.get(id);
  if (job === undefined) {
    row?.root.remove();
    elements.jobs.delete(id);
    return;
  }
  if (row === undefined) {
    row = {
      root: el('tr', { 'data-job': id }),
      type: el('td'),
      camera: el('td'),
      state: el('td'),
      bar: el('div'),
      text: el('span', { className: 'progress-text' }),
      actions: el('td'),
    };
    row.root.append(row.type, row.camera, row.state, el('td', {}, [el('span', { className: 'bar' }, [row.bar]), row.text]), row.actions);
    elements.jobs.set(id, row);
    // Newest first.
    document.querySelector('#jobs tbody').prepend(row.root);
  }
  row.type.textContent = job.type;
  row.type.title = job.id;
  row.camera.textContent = job.camera ?? '';
  row.state.textContent = job.state === 'failed' && job.error ? `failed: ${job.error}` : job.state;
  row.state.className = `state-${job.state}`;
  row.root.dataset.state = job.state;
  const percent = Math.round(job.fraction * 100);
  row.bar.style.width = `${percent}%`;
  row.root.dataset.progress = String(percent);
  row.text.textContent = `${percent}%${job.state === 'active' && job.message ? ` ${job.message}` : ''}`;
  const actions = [];
  if (job.state === 'waiting' || job.state === 'delayed' || job.state === 'active') actions.push(button('Cancel', () => act(job.id, 'cancel')));
  if (job.state === 'failed' || job.state === 'cancelled') actions.push(button('Retry', () => act(job.id, 'retry')));
  row.actions.replaceChildren(...actions);
}

function button(label, onClick) {
  const b = el('button', { type: 'button', text: label });
  b.addEventListener('click', onClick);
  return b;
}

async function act(id, action) {
  const response = await fetch(`/api/jobs/${encodeURIComponent(id)}/${action}`, { method: 'POST', headers: { 'X-Camflow': '1' } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    alert(body.error ?? `${action} failed (${response.status})`);
  }
}

function renderTimeline() {
  const list = document.getElementById('timeline');
  const entries = state.timeline.slice(-TIMELINE_SHOWN).reverse();
  list.replaceChildren(
    ...entries.map((entry) => {
      const parts = [el('time', { datetime: entry.at, text: timeOf(entry.at) })];
      if (entry.picture !== undefined) parts.push(el('img', { alt: entry.title, loading: 'lazy', src: `/media/${entry.picture.split('/').map(encodeURIComponent).join('/')}` }));
      const text = el('span', { className: `kind-${entry.kind}`, text: `${entry.camera ?? ''} ${entry.title}`.trim() });
      parts.push(text);
      if (entry.media !== undefined && entry.kind === 'clip') parts.push(el('a', { href: `/media/${entry.media.split('/').map(encodeURIComponent).join('/')}`, text: 'clip' }));
      return el('li', { 'data-kind': entry.kind }, parts);
    }),
  );
}

const CHARTS = [
  { key: 'done', title: 'Jobs finished / 10 s', value: (s) => Object.values(s.done).reduce((a, b) => a + b, 0) },
  { key: 'queue', title: 'Jobs waiting', value: (s) => s.waiting },
  { key: 'loop', title: 'Event-loop delay p99 (ms)', value: (s) => s.loopP99Ms },
  { key: 'detect', title: 'Detections / s', value: (s) => s.detectPerSecond },
];

function renderFigures() {
  const box = document.getElementById('figures');
  // Jobs per type over the whole hour, under the jobs chart.
  const perType = {};
  for (const sample of state.figures) for (const [type, n] of Object.entries(sample.done)) perType[type] = (perType[type] ?? 0) + n;
  const types = Object.entries(perType).sort((a, b) => b[1] - a[1]).map(([type, n]) => `${type} ${n}`).join(' · ');
  box.replaceChildren(
    ...CHARTS.map((chart) => {
      const values = state.figures.map(chart.value);
      const last = values.length === 0 ? '–' : String(values[values.length - 1]);
      const parts = [el('div', { className: 'muted', text: chart.title }), el('div', { className: 'value', text: last }), sparkline(values)];
      if (chart.key === 'done') parts.push(el('div', { className: 'muted per-type', text: types === '' ? 'no jobs this hour' : `this hour: ${types}` }));
      return el('div', { className: 'chart', 'data-chart': chart.key }, parts);
    }),
  );
}

function sparkline(values) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 360 48');
  svg.setAttribute('preserveAspectRatio', 'none');
  if (values.length > 1) {
    const max = Math.max(...values, 1);
    const step = 360 / (values.length - 1);
    const points = values.map((v, i) => `${(i * step).toFixed(1)},${(46 - (v / max) * 44).toFixed(1)}`).join(' ');
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('points', points);
    svg.append(line);
  }
  return svg;
}

function timeOf(iso) {
  if (iso === undefined) return '';
  const date = new Date(iso);
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function applyState(snapshot) {
  state.cameras = new Map(snapshot.cameras.map((c) => [c.id, c]));
  for (const [id, tile] of [...elements.cameras]) {
    if (state.cameras.has(id)) continue;
    tile.root.remove();
    elements.cameras.delete(id);
  }
  state.jobs = new Map(snapshot.jobs.map((j) => [j.id, j]));
  for (const id of [...elements.jobs.keys()]) if (!state.jobs.has(id)) renderJob(id, undefined);
  state.timeline = snapshot.timeline;
  state.figures = snapshot.figures;
  state.pipeline = snapshot.pipeline;
  dirty.all = true;
  schedule();
}

function applyPatch(patch) {
  switch (patch.type) {
    case 'camera':
      state.cameras.set(patch.camera.id, patch.camera);
      dirty.cameras.add(patch.camera.id);
      break;
    case 'job':
      state.jobs.set(patch.job.id, patch.job);
      dirty.jobs.add(patch.job.id);
      break;
    case 'timeline':
      state.timeline.push(patch.entry);
      if (state.timeline.length > 200) state.timeline.shift();
      dirty.timeline = true;
      break;
    case 'figures':
      state.figures.push(patch.sample);
      if (state.figures.length > 360) state.figures.shift();
      dirty.figures = true;
      break;
  }
  schedule();
}

function connect() {
  const live = document.getElementById('live');
  const source = new EventSource('/api/live');
  source.addEventListener('state', (event) => {
    live.textContent = 'live';
    live.className = 'badge on';
    applyState(JSON.parse(event.data));
  });
  source.addEventListener('patch', (event) => applyPatch(JSON.parse(event.data)));
  // EventSource reconnects by itself (retry: 2000); the state event on reconnect brings the page up to date.
  source.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.className = 'badge off';
  });
}

// A link with ?token= has set the cookie; take the token out of the address bar (and of the history).
if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', '/');
connect();
