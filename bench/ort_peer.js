// ort_peer.js — the W3 and W5 workloads in ONNX Runtime (npm onnxruntime-node, CPU), for
// bench/peers.py:
//   node bench/ort_peer.js MODEL.onnx IMAGES.gz THREADS REPEAT W3|W5 NODE_MODULES
// MODEL.onnx is the W2 network written by dropnet's own exporter (bench-workloads
// --export-onnx), so the runtime computes what dn_model_predict does, softmax included.
// IMAGES.gz: Fashion-MNIST's t10k images (IDX, gzip). Prints one JSON line per figure, with the
// fields bench_workloads.c prints for the same workload. The session has THREADS intra-op
// threads, one inter-op thread, every graph optimisation, and spinning threads (the default).
// The images are converted to float once, before any timing: unlike the dropnet and PyTorch
// sides, the runtime's figures do not include that conversion.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const [model, imagesPath, threadsArg, repeatArg, workload, modules] = process.argv.slice(2);
const ort = require(path.resolve(modules, 'onnxruntime-node'));
const threads = Number(threadsArg), repeat = Number(repeatArg);

function now() { return Number(process.hrtime.bigint()) / 1e9; }
function load1() { return Math.round(os.loadavg()[0] * 100) / 100; }
function median(a) {
  const s = Float64Array.from(a).sort(), n = s.length;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}
function spread(key, values, digits) {
  const r = (v) => Number(v.toFixed(digits));
  return { [key]: r(median(values)), [key + '_min']: r(Math.min(...values)),
           [key + '_max']: r(Math.max(...values)) };
}
function images() {
  const data = zlib.gunzipSync(fs.readFileSync(imagesPath));
  const rows = data.readUInt32BE(4), cols = data.readUInt32BE(8) * data.readUInt32BE(12);
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; ++i) x[i] = data[16 + i] / 255;
  return { x, rows, cols };
}
function head() {
  return { bench: 'onnxruntime', workload, threads, load: load1(), runs: repeat,
           onnxruntime: require(path.resolve(modules, 'onnxruntime-node', 'package.json')).version,
           blas_setting: 'MLAS' };
}

async function main() {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all' });
  const { x, rows, cols } = images();
  const tensor = (n) => new ort.Tensor('float32', x.subarray(0, n * cols), [n, cols]);
  if (workload === 'W3') {
    const all = tensor(rows), batch = [];
    for (let run = 0; run <= repeat; ++run) { // run 0 warms up
      const t = now();
      await session.run({ input: all });
      if (run > 0) batch.push(now() - t);
    }
    const lat = [];
    for (let pass = 0; pass < 2; ++pass) // pass 0 warms up
      for (let i = 0; i < 2000; ++i) {
        const one = new ort.Tensor('float32', x.subarray(i * cols, (i + 1) * cols), [1, cols]);
        const t = now();
        await session.run({ input: one });
        if (pass === 1) lat.push(now() - t);
      }
    lat.sort((a, b) => a - b);
    const b = median(batch);
    console.log(JSON.stringify({ ...head(), rows, ...spread('batch_seconds', batch, 5),
      images_per_s: Math.round(rows / b), images_per_s_min: Math.round(rows / Math.max(...batch)),
      images_per_s_max: Math.round(rows / Math.min(...batch)),
      single_median_us: Number((lat[1000] * 1e6).toFixed(1)),
      single_p90_us: Number((lat[1800] * 1e6).toFixed(1)), single_images: 2000 }));
    return;
  }
  for (let b = 1; b <= 256; b *= 2) { // W5: as bench_workloads.c's, block medians of call times
    const calls = Math.max(16, Math.floor(4096 / b)), input = tensor(b), blocks = [];
    for (let run = 0; run <= repeat; ++run) {
      const t_call = [];
      for (let c = 0; c < calls; ++c) {
        const t = now();
        await session.run({ input });
        t_call.push((now() - t) * 1e6);
      }
      if (run > 0) blocks.push(median(t_call));
    }
    const s = spread('us_per_call', blocks, 1);
    console.log(JSON.stringify({ ...head(), batch: b, calls_per_block: calls, ...s,
      images_per_s: Math.round(b / s.us_per_call * 1e6) }));
  }
}
main().catch((e) => { console.error(`ort_peer.js: ${e.message}`); process.exit(1); });
