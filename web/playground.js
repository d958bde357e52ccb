/* playground.js — the page: settings (kept in the URL), the engine workers, and the drawings
 * (curves with the train–validation gap, the batch's dropout masks, the decision map, traces).
 * Every number shown comes from the engine (web/engine.c) in a Web Worker. */
'use strict';
const $ = (id) => document.getElementById(id);

const DEFAULTS = {data: 'seed', noise: 0.1, train: 0.8, family: 'dropout', inrate: 0.2,
  layers: [{units: 10, act: 'relu', rate: 0}], optimizer: 3, lr: 0.005, batch: 32, epochs: 5,
  seed: 42, compare: false, mc: false, speed: 60};
const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'linear', 'elu', 'selu'];
const EMBEDDED = decodeTable(JSON.parse($('pg-data').textContent));   // web/table.js
const COLOURS = ['#0b5cad', '#b34700', '#1b7a3d', '#7a1b6e', '#5a5a00', '#006b78'];
const GRID = 40;
let extent = 1.5;   // the map covers [-extent, extent]²: 1.5 for the 2-D sets, the data's range for a table

/* ---- settings ⇄ URL ------------------------------------------------------------------------ */
function readHash() {
  const s = structuredClone(DEFAULTS);
  if (EMBEDDED) { s.data = 'embedded'; s.inrate = 0.2; }
  const q = new URLSearchParams(location.hash.slice(1));
  for (const k of ['noise', 'train', 'inrate', 'optimizer', 'lr', 'batch', 'epochs', 'seed', 'speed'])
    if (q.has(k) && isFinite(+q.get(k))) s[k] = +q.get(k);
  for (const k of ['data', 'family']) if (q.has(k)) s[k] = q.get(k);
  for (const k of ['compare', 'mc']) if (q.has(k)) s[k] = q.get(k) === '1';
  if (q.has('layers')) {
    s.layers = q.get('layers').split(';').filter(Boolean).map((t) => {
      const [u, a, r] = t.split(':');
      return {units: Math.max(1, Math.min(1024, +u | 0)), act: ACTIVATIONS.includes(a) ? a : 'relu',
              rate: Math.max(0, Math.min(0.95, +r || 0))};
    });
  }
  return s;
}
function writeHash(s) {
  const q = new URLSearchParams();
  for (const k of ['data', 'noise', 'train', 'family', 'inrate', 'optimizer', 'lr', 'batch', 'epochs', 'seed', 'speed'])
    q.set(k, s[k]);
  q.set('layers', s.layers.map((l) => `${l.units}:${l.act}:${l.rate}`).join(';'));
  q.set('compare', s.compare ? '1' : '0');
  q.set('mc', s.mc ? '1' : '0');
  history.replaceState(null, '', '#' + q.toString());
}

/* ---- data ---------------------------------------------------------------------------------- */
function mulberry32(a) {
  return () => {
    a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* A 2-D set of 500 points in random order (so the held-out end is a fair sample). */
function twoD(name, noise, seed) {
  const rnd = mulberry32(seed * 2654435761 + name.length);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const n = 500, x = new Float32Array(n * 2), y = new Int32Array(n);
  let classes = 2;
  for (let i = 0; i < n; ++i) {
    let px, py, c;
    if (name === 'circles') {
      c = rnd() < 0.5 ? 0 : 1;
      const r = c ? 0.7 + 0.3 * rnd() : 0.5 * rnd(), t = 2 * Math.PI * rnd();
      px = r * Math.cos(t); py = r * Math.sin(t);
    } else if (name === 'xor') {
      px = 2 * rnd() - 1; py = 2 * rnd() - 1;
      px += Math.sign(px) * 0.05; py += Math.sign(py) * 0.05;
      c = px * py > 0 ? 1 : 0;
    } else if (name === 'spirals') {
      c = rnd() < 0.5 ? 0 : 1;
      const t = rnd(), a = 3.5 * Math.PI * t + c * Math.PI;
      px = t * Math.cos(a); py = t * Math.sin(a);
    } else {
      classes = 3; c = Math.floor(rnd() * 3);
      const a = 2 * Math.PI * c / 3;
      px = 0.6 * Math.cos(a) + 0.2 * gauss(); py = 0.6 * Math.sin(a) + 0.2 * gauss();
    }
    x[2 * i] = px + noise * gauss(); x[2 * i + 1] = py + noise * gauss(); y[i] = c;
  }
  return {rows: n, features: 2, classes, x, y};
}
function dataset(s) {
  if (s.data === 'embedded' && EMBEDDED)
    return {rows: EMBEDDED.y.length, features: EMBEDDED.features, classes: EMBEDDED.classes,
            x: EMBEDDED.x, y: EMBEDDED.y, names: EMBEDDED.classNames};   // read only: the worker gets copies
  if (s.data === 'seed') return {rows: 1000, features: 20, classes: 3, x: null, y: null};
  return twoD(s.data, s.noise, s.seed);
}

/* The layers as dropnet spec strings. A dropout layer sits where the learner set a rate > 0;
 * `zero` keeps those layers at rate 0 (Compare), so the dense layers keep their indices and
 * therefore their initial weights: the two runs differ only in the rates. */
function layersOf(s, classes, zero) {
  const out = [];
  const drop = (rate) => out.push({kind: s.family, rate: zero ? 0 : rate, spec: `${s.family}:${zero ? 0 : rate}`});
  if (s.inrate > 0) drop(s.inrate);
  for (const l of s.layers) {
    out.push({kind: 'dense', units: l.units, spec: `dense:${l.units}:${l.act}`});
    if (l.rate > 0) drop(l.rate);
  }
  out.push({kind: 'dense', units: classes, spec: `dense:${classes}:softmax`});
  return out;
}

/* ---- masks replayed: Philox4x32-10 addressed as dropnet draws it (src/core/rng.c) ------------ */
/* The high 32 bits of the 64-bit product of two 32-bit words. */
function mulhi(a, b) {
  const aH = a >>> 16, aL = a & 0xffff, bH = b >>> 16, bL = b & 0xffff;
  const mid1 = aH * bL, mid2 = aL * bH;
  const carry = (((aL * bL) >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (aH * bH + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}
function philox(c, k0, k1) {
  let [c0, c1, c2, c3] = c;
  for (let round = 0; round < 10; ++round) {
    const hi0 = mulhi(0xD2511F53, c0), lo0 = Math.imul(0xD2511F53, c0) >>> 0;
    const hi1 = mulhi(0xCD9E8D57, c2), lo1 = Math.imul(0xCD9E8D57, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + 0x9E3779B9) >>> 0; k1 = (k1 + 0xBB67AE85) >>> 0;
  }
  return [c0, c1, c2, c3];
}
/* The keep mask of dropout layer `layer` at training step `step` (dn_model_step() after it) for
 * a batch of rows × cols: element e is dropped when its word < round(rate·2³²), the word being
 * word e mod 4 of the block (e/4, 3 << 16 | layer, step − 1) under key = seed. Nothing stored. */
function replayMask(seed, layer, step, rate, rows, cols) {
  const k0 = seed >>> 0, k1 = Math.floor(seed / 4294967296) >>> 0, stream = ((3 << 16) | layer) >>> 0;
  const t = Math.fround(rate) * 4294967296 + 0.5, threshold = t <= 0 ? 0 : t >= 4294967295 ? 4294967295 : Math.floor(t);
  const n = rows * cols, keep = new Uint8Array(n);
  let dropped = 0, words = null;
  for (let e = 0; e < n; ++e) {
    if (e % 4 === 0) words = philox([Math.floor(e / 4) >>> 0, stream, (step - 1) >>> 0, Math.floor((step - 1) / 4294967296) >>> 0], k0, k1);
    keep[e] = words[e % 4] >= threshold ? 1 : 0;
    dropped += 1 - keep[e];
  }
  return {layer, keep, rows, cols, dropped};
}
/* Rows in the batch of step `step`: full batches, the epoch's last one holding what is left. */
function batchRows(step) {
  const trainRows = Math.floor(data.rows * (1 - (1 - settings.train)));
  const batches = Math.ceil(trainRows / settings.batch), b = (step - 1) % batches;
  return b === batches - 1 ? trainRows - b * settings.batch : settings.batch;
}
/* The masks of every dropout layer at an earlier step, as the engine drew them. */
function replayStep(step) {
  const masks = [];
  main.layers.forEach((l, i) => {
    if (l.kind === 'dropout' && l.rate > 0) {
      const cols = i === 0 ? data.features : main.layers.slice(0, i).filter((x) => x.kind === 'dense').pop().units;
      masks.push(replayMask(settings.seed, i, step, l.rate, batchRows(step), cols));
    }
  });
  return {step, masks, replayed: true, firstRow: null};
}
window.pgReplay = replayStep;   // for the test: the page's replay against the engine's own masks

/* ---- runs: one worker each ----------------------------------------------------------------- */
const ENGINE_URL = URL.createObjectURL(new Blob([$('pg-engine').textContent], {type: 'text/javascript'}));
let settings = readHash(), data = null, main = null, twin = null, playing = false;
let dirty = true, selectedRow = 0, scrubStep = null, lastDrawnStep = -1, lastStatus = 0, lastCurves = 0;
// the status line's rates: steps trained and drawn in the last second (a run that finished or
// paused has none: it then shows the whole run's rate while playing, played{Steps,Ms})
const rate = {stepsAt: [], drawnAt: [], playedSteps: 0, playedMs: 0, playStart: null};
function playClock(on) {
  const now = performance.now();
  if (rate.playStart !== null) rate.playedMs += now - rate.playStart;
  rate.playStart = on ? now : null;
}

function startRun(zero) {
  const layers = layersOf(settings, data.classes, zero);
  const run = {worker: new Worker(ENGINE_URL), layers, epochs: [], batches: [], last: null, map: null, totals: {},
               done: false, error: null};
  run.worker.onmessage = (e) => onMessage(run, e.data);
  run.worker.postMessage({type: 'setup', cfg: {x: data.x, y: data.y, rows: data.rows,
    features: data.features, classes: data.classes, spec: layers.map((l) => l.spec).join(','),
    optimizer: settings.optimizer, lr: settings.lr, batch: settings.batch, epochs: settings.epochs,
    validationSplit: 1 - settings.train, seed: settings.seed, mc: settings.mc && !zero, extent}});
  run.worker.postMessage({type: 'speed', value: settings.speed});
  return run;
}
function onMessage(run, m) {
  if (m.type === 'batch') {
    run.last = m; run.totals = m.totals;
    run.batches.push(...m.points);
    if (run === main) rate.stepsAt.push([performance.now(), m.points.length]);
    if (run === main && playing) rate.playedSteps += m.points.length;
  } else if (m.type === 'epoch') {
    run.epochs.push(m);
    if (run === main || run === twin) pendingRows.push([run === main ? 'epochs-table' : 'compare-table', m]);
    if (run === main && m.epoch === 1) { requestExample(); requestQuiz(); }   // example.js, quiz.js
  } else if (m.type === 'map') run.map = m;
  else if (m.type === 'trace') showTrace(run, m);
  else if (m.type === 'example') { if (run === main) (m.purpose ? quizExample(m) : showExample(m)); }
  else if (m.type === 'error') { run.error = m.message; $('status').innerHTML = ''; $('status').append(errorText(m.message)); }
  else if (m.type === 'done') { run.done = true; flushRows(); if (run === main) finished(); }
  // a browser may not draw another frame after the last one; at full speed the epochs come ~100
  // times a second, and the frame's status (4 times a second) is enough for them
  if (m.type !== 'batch' && m.type !== 'epoch') status();
  dirty = true;
}
function errorText(message) {
  const span = document.createElement('span'); span.className = 'error'; span.textContent = 'error: ' + message;
  return span;
}
function finished() {
  playing = false; playClock(false);
  $('play').textContent = '▶ Play';
  document.body.dataset.state = 'done';
}
function reset() {
  for (const r of [main, twin]) if (r) { r.worker.postMessage({type: 'stop'}); r.worker.terminate(); }
  settings = collect(); writeHash(settings);
  data = dataset(settings);
  extent = data.features === 2 && data.x && settings.data === 'embedded'
    ? 1.1 * data.x.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-3) : 1.5;
  for (const id of ['epochs-table', 'compare-table']) $(id).tBodies[0].innerHTML = '';
  $('compare-table').hidden = !settings.compare; $('legend-compare').hidden = !settings.compare;
  main = startRun(false);
  twin = settings.compare ? startRun(true) : null;
  playing = false; $('play').textContent = '▶ Play';
  document.body.dataset.state = 'ready';
  const two = data.features === 2;
  $('map-section').hidden = !two; $('data-2d').hidden = !(settings.data in {circles: 1, xor: 1, spirals: 1, gaussians: 1});
  $('mc-map').hidden = !(two && settings.mc); $('mc-note').hidden = $('mc-map').hidden;
  $('trace').innerHTML = ''; $('trace-row').max = data.rows - 1;
  resetExample(); resetQuiz(); resetImages();   // example.js, quiz.js, images.js
  rate.stepsAt = []; rate.drawnAt = []; rate.playedSteps = 0; rate.playedMs = 0; rate.playStart = null;
  lastDrawnStep = -1; scrubStep = null; dirty = true;
  status();
}
function send(type) {
  for (const r of [main, twin]) if (r) r.worker.postMessage({type});
}
function togglePlay() {
  if (main.done) return;
  playing = !playing; playClock(playing);
  send(playing ? 'play' : 'pause');
  $('play').textContent = playing ? '❚❚ Pause' : '▶ Play';
  document.body.dataset.state = playing ? 'playing' : 'paused';
}

/* ---- the settings panel -------------------------------------------------------------------- */
function renderLayers() {
  const box = $('layers'); box.innerHTML = '';
  settings.layers.forEach((l, i) => {
    const row = document.createElement('div'); row.className = 'layer';
    row.innerHTML = `<span>dense ${i + 1}</span>
      <input type="number" min="1" max="1024" value="${l.units}" aria-label="units of hidden layer ${i + 1}">
      <select aria-label="activation of hidden layer ${i + 1}">${ACTIVATIONS.map((a) => `<option${a === l.act ? ' selected' : ''}>${a}</option>`).join('')}</select>
      <span>rate</span><input type="number" min="0" max="0.95" step="0.05" value="${l.rate}" aria-label="dropout rate after hidden layer ${i + 1}">
      <button aria-label="remove hidden layer ${i + 1}">✕</button>`;
    const [units, act, rt] = row.querySelectorAll('input, select');
    units.onchange = () => { l.units = Math.max(1, Math.min(1024, +units.value | 0)); reset(); };
    act.onchange = () => { l.act = act.value; reset(); };
    rt.onchange = () => { l.rate = Math.max(0, Math.min(0.95, +rt.value || 0)); reset(); };
    row.querySelector('button').onclick = () => { settings.layers.splice(i, 1); renderLayers(); reset(); };
    box.append(row);
  });
}
function fillForm(s) {
  if (EMBEDDED && !$('data').querySelector('[value=embedded]')) {
    const o = document.createElement('option'); o.value = 'embedded';
    o.textContent = `${EMBEDDED.name}: ${EMBEDDED.y.length} × ${EMBEDDED.features}, ${EMBEDDED.classes} classes`;
    $('data').prepend(o);
  }
  for (const k of ['data', 'noise', 'train', 'family', 'inrate', 'optimizer', 'lr', 'batch', 'epochs', 'seed', 'speed'])
    $(k).value = s[k];
  $('compare').checked = s.compare; $('mc').checked = s.mc;
  $('noise-out').textContent = s.noise; $('train-out').textContent = s.train;
  renderLayers();
}
function collect() {
  const s = settings, num = (id, lo, hi, int) => {
    let v = +$(id).value; if (!isFinite(v)) v = DEFAULTS[id];
    v = Math.max(lo, Math.min(hi, v)); return int ? Math.round(v) : v;
  };
  return {...s, data: $('data').value, noise: num('noise', 0, 0.5), train: num('train', 0.1, 0.9),
    family: $('family').value, inrate: num('inrate', 0, 0.95), optimizer: num('optimizer', 0, 3, 1),
    lr: num('lr', 1e-6, 10), batch: num('batch', 1, 1024, 1), epochs: num('epochs', 1, 2000, 1),
    seed: num('seed', 0, 2 ** 32 - 1, 1), compare: $('compare').checked, mc: $('mc').checked,
    speed: +$('speed').value};
}

/* ---- drawing ------------------------------------------------------------------------------- */
/* A chart canvas as wide as its panel (up to 640 px), sharp on any pixel ratio. */
function setupCanvas(c) {
  const dpr = window.devicePixelRatio || 1, h = +c.getAttribute('height');
  const w = Math.max(200, Math.min(640, c.parentElement.clientWidth - 26));
  if (c.width !== Math.round(w * dpr)) {
    c.width = Math.round(w * dpr); c.height = Math.round(h * dpr);
    c.style.width = w + 'px'; c.style.height = h + 'px';
  }
  const g = c.getContext('2d'); g.setTransform(dpr, 0, 0, dpr, 0, 0);
  return {g, w, h};
}
function chart(canvas, key, valKey, fixed) {
  const {g, w, h} = setupCanvas(canvas);
  g.clearRect(0, 0, w, h);
  const runs = [main, twin].filter(Boolean);
  const L = 44, R = 10, T = 8, B = 26, E = settings.epochs;
  let lo = Infinity, hi = -Infinity;
  for (const r of runs) for (const e of r.epochs) for (const v of [e[key], e[valKey]]) if (isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  for (const b of main.batches) { const v = key === 'loss' ? b.loss : b.acc; if (isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
  if (!isFinite(lo)) { lo = 0; hi = 1; }
  if (fixed) { lo = Math.min(lo, 0.3); hi = 1; } else { lo = 0; hi = hi * 1.05 || 1; }
  const X = (x) => L + (w - L - R) * x / E, Y = (y) => T + (h - T - B) * (1 - (y - lo) / (hi - lo || 1));
  g.strokeStyle = '#c9ced6'; g.fillStyle = '#4a525c'; g.font = '11px sans-serif'; g.lineWidth = 1;
  for (let i = 0; i <= 4; ++i) {
    const v = lo + (hi - lo) * i / 4; g.beginPath(); g.moveTo(L, Y(v)); g.lineTo(w - R, Y(v)); g.stroke();
    g.fillText(v.toFixed(2), 4, Y(v) + 4);
  }
  const ticks = Math.min(E, 10);
  for (let i = 0; i <= ticks; ++i) { const e = Math.round(E * i / ticks); g.fillText(String(e), X(e) - 3, h - 8); }
  g.fillText('epoch', 4, h - 8);
  const pts = (r, k) => [[0, NaN], ...r.epochs.map((e) => [e.epoch, e[k]])].filter((p) => isFinite(p[1]));
  // the gap between training and validation, shaded (grey for the compare run)
  const shade = (r, colour) => {
    const tr = pts(r, key), va = pts(r, valKey);
    if (tr.length < 2 || va.length < 2) return;
    g.fillStyle = colour; g.beginPath();
    tr.forEach(([x, y], i) => (i ? g.lineTo(X(x), Y(y)) : g.moveTo(X(x), Y(y))));
    for (let i = va.length - 1; i >= 0; --i) g.lineTo(X(va[i][0]), Y(va[i][1]));
    g.closePath(); g.fill();
  };
  const tr = pts(main, key), va = pts(main, valKey);
  if (twin) shade(twin, 'rgba(60, 60, 60, 0.13)');
  shade(main, 'rgba(179, 71, 0, 0.18)');
  // the running mean of the current epoch, batch by batch (faint)
  g.strokeStyle = 'rgba(11, 92, 173, 0.22)'; g.beginPath();
  const every = Math.ceil(main.batches.length / 800);   // at most ~800 points: a frame stays cheap
  main.batches.forEach((b, i) => {
    if (i % every && i !== main.batches.length - 1) return;
    const v = key === 'loss' ? b.loss : b.acc; (i ? g.lineTo(X(b.x), Y(v)) : g.moveTo(X(b.x), Y(v)));
  });
  g.stroke();
  const line = (p, colour, dash, width) => {
    g.strokeStyle = colour; g.fillStyle = colour; g.lineWidth = width; g.setLineDash(dash);
    g.beginPath(); p.forEach(([x, y], i) => (i ? g.lineTo(X(x), Y(y)) : g.moveTo(X(x), Y(y)))); g.stroke();
    g.setLineDash([]);
    if (E <= 30 && !dash.length) for (const [x, y] of p) { g.beginPath(); g.arc(X(x), Y(y), 2.5, 0, 7); g.fill(); }
  };
  if (twin) { line(pts(twin, key), '#0b5cad', [6, 4], 1.5); line(pts(twin, valKey), '#b34700', [6, 4], 1.5); }
  line(tr, '#0b5cad', [], 2); line(va, '#b34700', [], 2);
  g.lineWidth = 1;
}
function fmt(v) { return isFinite(v) ? v.toFixed(4) : '—'; }
/* Epoch rows wait for the curves' redraw (ten times a second): at full speed ~100 epochs a
 * second, a row each would make every frame lay the growing table out again. */
let pendingRows = [];
function flushRows() {
  for (const [table, m] of pendingRows) addEpochRow(table, m);
  pendingRows = [];
}
function addEpochRow(table, m) {
  const tr = document.createElement('tr');
  tr.dataset.epoch = m.epoch;
  for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy']) tr.dataset[k] = String(m[k]);
  const gap = m.valLoss - m.loss;
  tr.innerHTML = `<td>${m.epoch}</td><td>${fmt(m.loss)}</td><td>${fmt(m.accuracy)}</td><td>${fmt(m.valLoss)}</td><td>${fmt(m.valAccuracy)}</td><td>${fmt(gap)}</td>`;
  $(table).tBodies[0].append(tr);
}
function drawMasks() {
  const box = $('masks'), live = main.last;
  if (live) {
    $('scrub').max = live.step;
    if (scrubStep === null) $('scrub').value = live.step;
  }
  const m = live && scrubStep !== null ? replayStep(Math.min(scrubStep, live.step)) : live;
  $('scrub-out').textContent = m && m.replayed ? `step ${m.step} (replayed)` : 'live';
  if (!m) { box.innerHTML = '<p class="note">Press Play or Step: the first batch\'s masks appear here.</p>'; return; }
  if (!m.masks.length) {
    box.innerHTML = `<p class="note">${settings.family === 'dropout' ? 'No dropout layer with a rate above 0.' :
      'This family multiplies by noise instead of a 0/1 mask: no grid to draw.'}</p>`;
    return;
  }
  if (box.children.length !== m.masks.length * 3) {
    box.innerHTML = '';
    for (const k of m.masks) {
      const label = document.createElement('p'); label.className = 'note mask-label';
      const c = document.createElement('canvas'); c.className = 'mask'; c.tabIndex = 0;
      c.setAttribute('role', 'img');
      c.onclick = (e) => { const r = c.getBoundingClientRect(); selectedRow = Math.floor((e.clientY - r.top) / r.height * (main.last.rows)); dirty = true; };
      const units = document.createElement('div'); units.className = 'units';
      box.append(label, c, units);
    }
  }
  const labels = box.querySelectorAll('.mask-label'), canvases = box.querySelectorAll('canvas'), strips = box.querySelectorAll('.units');
  m.masks.forEach((k, i) => {
    const spec = main.layers[k.layer], rt = spec.rate, n = k.rows * k.cols;
    labels[i].textContent = `layer ${k.layer} (${spec.spec}), step ${m.step}${m.replayed ? ' (replayed)' : ''}: ${k.dropped} of ${n} dropped = ${(100 * k.dropped / n).toFixed(1)}% (rate ${100 * rt}%)`;
    const t = main.totals[k.layer];
    labels[i].textContent += `; all steps so far: ${(100 * t.dropped / t.elements).toFixed(2)}%`;
    Object.assign(labels[i].dataset, {dropped: k.dropped, elements: n, rate: rt, layer: k.layer, step: m.step,
                                      totalDropped: t.dropped, totalElements: t.elements});
    const c = canvases[i], cell = Math.max(2, Math.min(16, Math.floor(340 / k.cols)));
    if (c.width !== k.cols * cell || c.height !== k.rows * cell) {   // resizing clears: only when needed
      c.width = k.cols * cell; c.height = k.rows * cell; c.style.width = c.width + 'px';
    }
    c.setAttribute('aria-label', labels[i].textContent);
    const g = c.getContext('2d');
    g.fillStyle = '#e3ecf7'; g.fillRect(0, 0, c.width, c.height);
    g.fillStyle = '#1b1f24';
    for (let r = 0; r < k.rows; ++r) for (let j = 0; j < k.cols; ++j) if (!k.keep[r * k.cols + j]) g.fillRect(j * cell, r * cell, cell - (cell > 3), cell - (cell > 3));
    const row = Math.min(selectedRow, k.rows - 1);
    g.strokeStyle = '#f0a500'; g.lineWidth = 2; g.strokeRect(1, row * cell + 1, c.width - 2, cell - 1);
    // the followed example's units: dropped greyed, survivors scaled by 1/(1−rate)
    const scale = (1 / (1 - rt)).toPrecision(3), shown = Math.min(k.cols, 40);
    drawStrip(strips[i], `${row === 0 && m.firstRow !== null ? 'example #' + m.firstRow : 'row ' + row} of the batch:`,
              k.keep.subarray(row * k.cols, row * k.cols + shown), scale, k.cols - shown);
  });
}
/* The followed row's units: dropped greyed, survivors ×1/(1−rate). The spans are made once and
 * changed in place (only what differs), so that a frame does not rebuild and re-style them. */
function drawStrip(strip, caption, keep, scale, more) {
  if (strip.children.length !== keep.length + 2) {
    strip.innerHTML = '<span class="note"></span>' + '<span class="unit"></span>'.repeat(keep.length) + '<span class="note"></span>';
  }
  const spans = strip.children, set = (el, key, v) => { if (el[key] !== v) el[key] = v; };
  set(spans[0], 'textContent', caption);
  keep.forEach((kept, j) => {
    const u = spans[j + 1];
    set(u, 'className', kept ? 'unit' : 'unit dropped');
    set(u, 'title', `unit ${j}: ${kept ? 'kept, ×' + scale : 'dropped'}`);
    set(u, 'textContent', kept ? '×' + scale : '0');
  });
  set(spans[keep.length + 1], 'textContent', more > 0 ? `… ${more} more` : '');
}
function drawMap() {
  if (data.features !== 2) return;
  const c = $('map'), g = c.getContext('2d'), S = c.width, m = main.map;
  g.clearRect(0, 0, S, S);
  const cell = S / GRID, rgb = COLOURS.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
  if (m) {
    for (let i = 0; i < m.n; ++i) {
      let best = 0; for (let j = 1; j < m.classes; ++j) if (m.p[i * m.classes + j] > m.p[i * m.classes + best]) best = j;
      const p = m.p[i * m.classes + best], a = Math.max(0, (p - 1 / m.classes) / (1 - 1 / m.classes));
      const [r, gg, b] = rgb[best]; g.fillStyle = `rgba(${r},${gg},${b},${0.12 + 0.45 * a})`;
      g.fillRect((i % GRID) * cell, Math.floor(i / GRID) * cell, cell + 0.5, cell + 0.5);
    }
  }
  const P = (v) => (v / extent + 1) / 2 * S, split = Math.floor(data.rows * settings.train);
  for (let i = 0; i < data.rows; ++i) {
    g.beginPath(); g.arc(P(data.x[2 * i]), S - P(data.x[2 * i + 1]), 3, 0, 7);
    g.strokeStyle = COLOURS[data.y[i]]; g.fillStyle = COLOURS[data.y[i]];
    if (i < split) g.fill(); else { g.lineWidth = 1.5; g.stroke(); }
  }
  if (settings.mc && m && m.std) {
    const c2 = $('mc-map'), h = c2.getContext('2d');
    for (let i = 0; i < m.n; ++i) {
      let best = 0; for (let j = 1; j < m.classes; ++j) if (m.p[i * m.classes + j] > m.p[i * m.classes + best]) best = j;
      const sd = Math.min(1, m.std[i * m.classes + best] / 0.25), v = Math.round(255 * (1 - sd));
      h.fillStyle = `rgb(${v},${v},${v})`; h.fillRect((i % GRID) * cell, Math.floor(i / GRID) * cell, cell + 0.5, cell + 0.5);
    }
  }
}
function showTrace(run, m) {
  if (run !== main) return;
  const names = ['input', ...main.layers.map((l) => l.spec)];
  let html = `<table class="trace"><tr><th>example #${m.row}</th><th>values</th></tr>`;
  m.layers.forEach((a, i) => {
    const v = a.slice(0, 12).map((x) => x.toFixed(3)).join(' ') + (a.length > 12 ? ' …' : '');
    html += `<tr><td>${names[i] || ''}</td><td style="text-align:left">${v}</td></tr>`;
  });
  const out = m.layers[m.layers.length - 1], best = out.indexOf(Math.max(...out));
  const label = m.label >= 0 ? m.label : null;
  html += `</table><p>predicted class ${best} (p = ${out[best].toFixed(4)})${label !== null ? `, true class ${label}` : ''}</p>`;
  $('trace').innerHTML = html;
}
function status() {
  const m = main && main.last, now = performance.now();
  while (rate.stepsAt.length && now - rate.stepsAt[0][0] > 1000) rate.stepsAt.shift();
  const trained = rate.stepsAt.reduce((n, s) => n + s[1], 0);
  while (rate.drawnAt.length && now - rate.drawnAt[0] > 1000) rate.drawnAt.shift();
  const st = $('status');
  if (main && main.error) return;
  // done: the last second's count would read 0 (a short run ends well within a second), so the
  // run's own rate while playing; steps taken with Step are not timed
  const played = rate.playedMs > 0 ? Math.round(rate.playedSteps * 1000 / rate.playedMs) : null;
  const speed = main && main.done
    ? (played !== null ? `done: ${played} steps/s trained while playing` : 'done')
    : `${trained} steps/s trained, ${rate.drawnAt.length} drawn/s`;
  st.textContent = m ? `epoch ${m.epoch}/${settings.epochs} · batch ${m.batch}/${m.batches} · step ${m.step} · ${speed}`
    : 'ready: press Play (space) or Step (s)';
  st.dataset.trained = trained; st.dataset.drawn = rate.drawnAt.length; st.dataset.played = played === null ? '' : played;
}
function frame() {
  if (dirty && main) {
    dirty = false;
    // the masks every frame (they are what animates); the curves and the map ten times a second
    drawMasks();
    if (performance.now() - lastCurves > 100 || main.done) {
      lastCurves = performance.now();
      flushRows();
      chart($('loss-chart'), 'loss', 'valLoss', false);
      chart($('acc-chart'), 'accuracy', 'valAccuracy', true);
      drawMap();
    } else dirty = true;
    if (main.last && main.last.step !== lastDrawnStep) { lastDrawnStep = main.last.step; rate.drawnAt.push(performance.now()); }
  }
  if (performance.now() - lastStatus > 250) { lastStatus = performance.now(); status(); }
  requestAnimationFrame(frame);
}

/* ---- wiring -------------------------------------------------------------------------------- */
$('play').onclick = togglePlay;
$('step').onclick = () => { if (playing) togglePlay(); send('step'); };
$('epoch').onclick = () => { if (playing) togglePlay(); send('epoch'); };
$('reset').onclick = reset;
$('scrub').oninput = () => { scrubStep = +$('scrub').value; dirty = true; };
$('live').onclick = () => { scrubStep = null; dirty = true; };
$('speed').onchange = () => { settings.speed = +$('speed').value; writeHash(settings);
  for (const r of [main, twin]) if (r) r.worker.postMessage({type: 'speed', value: settings.speed}); };
for (const id of ['data', 'family', 'inrate', 'optimizer', 'lr', 'batch', 'epochs', 'seed', 'compare', 'mc', 'noise', 'train'])
  $(id).addEventListener('change', reset);
for (const id of ['noise', 'train']) $(id).addEventListener('input', () => { $(id + '-out').textContent = $(id).value; });
$('add-layer').onclick = () => { settings.layers.push({units: 8, act: 'relu', rate: 0.5}); renderLayers(); reset(); };
$('trace-go').onclick = () => main.worker.postMessage({type: 'trace', row: Math.max(0, Math.min(data.rows - 1, +$('trace-row').value | 0))});
$('map').onclick = (e) => {   // trace the point nearest the click
  const r = $('map').getBoundingClientRect(), px = ((e.clientX - r.left) / r.width * 2 - 1) * extent,
    py = (1 - (e.clientY - r.top) / r.height * 2) * extent;
  let best = 0, bd = Infinity;
  for (let i = 0; i < data.rows; ++i) { const d = (data.x[2 * i] - px) ** 2 + (data.x[2 * i + 1] - py) ** 2; if (d < bd) { bd = d; best = i; } }
  $('trace-row').value = best; $('trace-go').click();
};
document.addEventListener('keydown', (e) => {
  if (e.target.matches('input, select, textarea') || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === ' ') { e.preventDefault(); togglePlay(); }
  else if (e.key === 's') $('step').click();
  else if (e.key === 'e') $('epoch').click();
  else if (e.key === 'r') reset();
});
window.addEventListener('hashchange', () => { settings = readHash(); fillForm(settings); reset(); });
