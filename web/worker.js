/* worker.js — one dropnet engine (web/engine.c as WebAssembly) in a Web Worker, so the page
 * never blocks. The page sends {type: 'setup', cfg} once, then play / pause / step / epoch /
 * speed / trace / stop; the worker posts every step (its masks and running loss), every epoch's
 * metrics, the decision map and traces. The engine asks pgGate after every batch whether to go
 * on, and sleeps (serving these messages) while the answer is "wait". */
'use strict';
let engine = null;
let mode = 'paused';        // 'play' or 'paused'
let stepBudget = 0;         // batches still allowed by Step
let toEpochEnd = false;     // Step epoch: run to the end of the current epoch
let movedSinceRequest = false;
let stopping = false, training = false;
let stepsPerSecond = 0;     // 0: as fast as it goes
let lastGo = 0, lastYield = 0, dueAt = 0;
let lastBatch = 0, lastBatches = 1;
let traceRows = [], pendingTrace = null, trace = [], traceLabel = -1;
let masks = [];

let latest = null, points = [], totals = {}, lastPost = 0;
self.pgMask = (layer, keep, rows, cols, dropped) => {
  masks.push({layer, keep, rows, cols, dropped});
  const t = totals[layer] || (totals[layer] = {dropped: 0, elements: 0});   // over every step so far
  t.dropped += dropped; t.elements += rows * cols;
};
self.pgBatch = (step, epoch, batch, batches, loss, accuracy, rows, firstRow) => {
  lastBatch = batch; lastBatches = batches;
  latest = {type: 'batch', step, epoch, batch, batches, loss, accuracy, rows, firstRow, masks};
  points.push({x: epoch - 1 + batch / batches, loss, acc: accuracy});
  masks = [];
};
/* The page gets the latest step (its masks, the running figures of every step since the last
 * post) at most ~60 times a second: faster, it would only queue messages it cannot draw. */
function flush() {
  if (!latest) return;
  latest.points = points; latest.totals = totals;
  postMessage(latest, latest.masks.map((m) => m.keep.buffer));
  latest = null; points = []; lastPost = performance.now();
}
self.pgEpoch = (epoch, loss, accuracy, valLoss, valAccuracy, seconds) => {
  flush();
  postMessage({type: 'epoch', epoch, loss, accuracy, valLoss, valAccuracy, seconds});
};
self.pgMap = (p, std, n, classes) => flush() ||
  postMessage({type: 'map', p: p.slice(), std: std ? std.slice() : null, n, classes});
self.pgTrace = (index, a) => trace.push(Array.from(a));
self.pgTraceRow = () => pendingTrace;
self.pgTraceLabel = (label) => { traceLabel = label; };

/* The train/inference toggle: one example at inference, in training at a step, and the mean
 * over many training passes (engine.c pg_example). */
let exampleRequests = [], pendingExample = null, example = null;
self.pgExampleRequest = (i) => [pendingExample.row, pendingExample.step, pendingExample.passes][i];
self.pgExampleRow = (row, label) => { example.row = row; example.label = label; };
self.pgExample = (kind, index, a) => { example[['inference', 'training', 'mean'][kind]][index] = Array.from(a); };
self.pgExampleMask = (layer, keep) => { example.masks[layer] = Array.from(keep); };
function newExample(r) { pendingExample = r; example = {...r, inference: [], training: [], mean: [], masks: {}}; }
function postExample() { postMessage({type: 'example', ...example}); pendingExample = null; }

function postTrace() {
  postMessage({type: 'trace', row: pendingTrace, layers: trace, label: traceLabel});
  pendingTrace = null;
}

/* 0 go on, 1 wait, 2 stop, 3 yield once then go on, 4 trace pgTraceRow() first (engine.c);
 * asked after every batch and after every epoch (atEpochEnd). */
self.pgGate = (atEpochEnd) => {
  const go = gate(atEpochEnd);
  if (go !== 0 || performance.now() - lastPost > 16) flush();
  return go;
};
function gate(atEpochEnd) {
  if (pendingTrace !== null) postTrace();
  if (pendingExample !== null) postExample();
  if (stopping) return 2;
  if (traceRows.length) { pendingTrace = traceRows.shift(); trace = []; return 4; }
  if (exampleRequests.length) { newExample(exampleRequests.shift()); return 5; }
  // after an epoch's last batch only its validation and figures follow: the next batch is
  // granted (or held) at the epoch-end gate, so Step epoch stops with the epoch's figures shown
  if (!atEpochEnd && lastBatch === lastBatches) return 0;
  const now = performance.now();
  if (toEpochEnd) {
    if (movedSinceRequest && atEpochEnd) { toEpochEnd = false; return 1; }
    movedSinceRequest = true; lastGo = now; return 0;
  }
  if (stepBudget > 0) { stepBudget--; lastGo = now; return 0; }
  if (mode !== 'play') return 1;
  if (stepsPerSecond > 0) {   // paced: step k is due at start + k/speed (late wake-ups catch up)
    const interval = 1000 / stepsPerSecond;
    if (now < dueAt) return 1;
    dueAt = Math.max(dueAt + interval, now - interval);
  }
  lastGo = now;
  if (now - lastYield > 15) { lastYield = now; return 3; }   // let messages in ~60 times a second
  return 0;
}

/* The engine is built with WebAssembly SIMD128 (make web; Chrome 91, Firefox 89, Safari 16.4 and
 * later run it). A browser without it would fail to compile the engine with a bare CompileError:
 * this one-function module (i32.const 0, i32x4.splat) asks first, so the page can say why. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
  10, 8, 1, 6, 0, 65, 0, 253, 17, 11]);
const ENGINE_SIMD = /*@SIMD@*/true;   // make web writes whether it built with WEB_SIMD
function engineRuns() {
  return !ENGINE_SIMD || WebAssembly.validate(SIMD_PROBE) ? null
    : 'this browser\'s WebAssembly has no SIMD128, which this page\'s engine is built with (Chrome 91, ' +
      'Firefox 89, Safari 16.4 and later have it); update the browser, or build a page without it: make web WEB_SIMD=';
}

async function setup(c) {
  const unable = engineRuns();
  if (unable) { postMessage({type: 'error', message: unable}); return; }
  engine = await createEngine();
  let x = 0, y = 0;
  if (c.x) {
    x = engine._malloc(c.x.length * 4); engine.HEAPF32.set(c.x, x >> 2);
    y = engine._malloc(c.y.length * 4); engine.HEAP32.set(c.y, y >> 2);
  }
  const ok = engine.ccall('pg_setup', 'number',
    ['number', 'number', 'number', 'number', 'number', 'string', 'number', 'number', 'number',
     'number', 'number', 'number', 'number', 'number'],
    [x, y, c.rows, c.features, c.classes, c.spec, c.optimizer, c.lr, c.batch, c.epochs,
     c.validationSplit, c.seed, c.mc ? 1 : 0, c.extent]);
  if (ok !== 0) {
    postMessage({type: 'error', message: engine.UTF8ToString(engine._pg_error())});
    return;
  }
  postMessage({type: 'ready'});
  training = true;
  const done = await engine.ccall('pg_train', 'number', [], [], {async: true});
  training = false;
  flush();
  if (pendingTrace !== null) postTrace();
  if (pendingExample !== null) postExample();
  postMessage(done < 0 ? {type: 'error', message: engine.UTF8ToString(engine._pg_error())}
                       : {type: 'done', stopped: done === 1});
}

onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case 'setup': setup(m.cfg); break;
    case 'play': mode = 'play'; break;
    case 'pause': mode = 'paused'; stepBudget = 0; toEpochEnd = false; break;
    case 'step': mode = 'paused'; stepBudget++; break;
    case 'epoch': mode = 'paused'; toEpochEnd = true; movedSinceRequest = false; break;
    case 'speed': stepsPerSecond = m.value; break;
    case 'stop': stopping = true; break;
    case 'example': {
      const r = {row: m.row, step: m.step, passes: m.passes, purpose: m.purpose || null};
      if (training) exampleRequests.push(r);
      else if (engine) { newExample(r); engine._pg_example(r.row, r.step, r.passes); postExample(); }
      break;
    }
    case 'trace':
      if (training) traceRows.push(m.row);
      else if (engine) { pendingTrace = m.row; trace = []; engine._pg_trace(m.row); postTrace(); }
      break;
  }
};
