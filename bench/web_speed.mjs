// web_speed.mjs — `make bench-web`: the playground's engine speed in headless Chromium, two
// builds of the page compared in one run (the default, WebAssembly SIMD128, against the plain
// wasm32 build): each workload is trained to its end at full speed ("as fast as it goes"), the
// wall time from Play to the last epoch measured, the builds alternated REPEAT times (the median
// kept), so that a shared machine's load falls on both alike. Then the drawn steps per second at
// the 60 steps/s setting and at full speed. Prints JSON lines and a table; asserts nothing.
// Usage: node web_speed.mjs DROPNET PAGE_A PAGE_B [REPEAT]
import {execFileSync} from 'node:child_process';
import {cpus, loadavg, tmpdir} from 'node:os';
import {mkdtempSync, rmSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {launch} from '../tests/web/cdp.mjs';

const [cli, pageA, pageB, repeat = '3'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'dropnet-web-bench-'));
const pages = [pageA, pageB].map((p, i) => {
  const fm = join(dir, `fm${i}.html`);
  execFileSync(cli, ['play', '--data', 'fashion-mnist:train', '--max-rows', '2000', '--out', fm, '--page', p]);
  return {name: i ? 'B' : 'A', page: resolve(p), fashion: fm};
});
const WORKLOADS = [
  {name: 'seed 20-10-3, batch 32, 100 epochs (2500 steps)', fashion: false,
   hash: 'data=seed&train=0.8&family=dropout&inrate=0.2&layers=10:relu:0&optimizer=3&lr=0.005&batch=32&epochs=100&seed=42'},
  {name: 'circles 2-128-128-2, dropout 0.5, batch 64, 100 epochs (700 steps)', fashion: false,
   hash: 'data=circles&noise=0.15&train=0.8&family=dropout&inrate=0&layers=128:relu:0.5;128:relu:0.5&optimizer=3&lr=0.01&batch=64&epochs=100&seed=7'},
  {name: 'Fashion-MNIST 2000 × 784-64-10, batch 32, 4 epochs (200 steps)', fashion: true,
   hash: 'data=embedded&train=0.8&family=dropout&inrate=0.2&layers=64:relu:0.5&optimizer=3&lr=0.001&batch=32&epochs=4&seed=42'},
];
const waitFor = (cond, ms = 300000) => `new Promise((ok, no) => { const t0 = Date.now();
  (function poll() { let v; try { v = ${cond}; } catch (e) {} if (v) ok(v);
    else if (Date.now() - t0 > ${ms}) no(new Error('timed out waiting for: ' + ${JSON.stringify(cond)}));
    else setTimeout(poll, 5); })(); })`;
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

const browser = await launch();
const results = [];
try {
  for (const w of WORKLOADS) {
    const times = {A: [], B: []}, rows = {};
    for (let r = 0; r < +repeat; ++r) for (const p of pages) {
      await browser.goto('about:blank');
      await browser.goto('file://' + (w.fashion ? p.fashion : p.page) + '#' + w.hash + '&compare=0&mc=0&speed=0');
      await browser.evaluate(waitFor(`document.body.dataset.state === 'ready'`));
      const ms = await browser.evaluate(`new Promise((ok) => { const t0 = performance.now(); document.getElementById('play').click();
        (function poll() { if (document.body.dataset.state === 'done') ok(performance.now() - t0); else setTimeout(poll, 5); })(); })`);
      times[p.name].push(ms);
      rows[p.name] = await browser.evaluate(`[...document.querySelectorAll('#epochs-table tbody tr')].map((r) => JSON.stringify(r.dataset)).join()`);
    }
    const steps = +w.name.match(/\((\d+) steps\)/)[1];
    const line = {bench: 'web', workload: w.name, steps, A_ms: median(times.A), B_ms: median(times.B),
      A_steps_per_s: Math.round(steps / median(times.A) * 1000), B_steps_per_s: Math.round(steps / median(times.B) * 1000),
      B_over_A: +(median(times.A) / median(times.B)).toFixed(3), same_numbers: rows.A === rows.B,
      runs_ms: {A: times.A.map(Math.round), B: times.B.map(Math.round)}, loadavg: loadavg().map((l) => +l.toFixed(2))};
    results.push(line);
    console.log(JSON.stringify(line));
  }
  // drawn steps per second on the seed network, page B: 60 steps/s, then as fast as it goes
  for (const speed of [60, 0]) {
    await browser.goto('about:blank');
    await browser.goto('file://' + pages[1].page + '#' + WORKLOADS[0].hash.replace('epochs=100', `epochs=${speed ? 60 : 2000}`) + `&compare=0&mc=0&speed=${speed}`);
    await browser.evaluate(waitFor(`document.body.dataset.state === 'ready'`));
    await browser.evaluate(`document.getElementById('play').click()`);
    const samples = await browser.evaluate(`new Promise((ok) => { const s = []; const t = setInterval(() => {
      const d = document.getElementById('status').dataset; s.push([+d.trained, +d.drawn]);
      if (s.length === 12 || document.body.dataset.state === 'done') { clearInterval(t); ok(s); } }, 500); })`);
    const tail = samples.slice(2);
    const line = {bench: 'web-drawn', speed: speed || 'full', trained_per_s: median(tail.map((x) => x[0])),
      drawn_per_s: median(tail.map((x) => x[1])), samples: tail, loadavg: loadavg().map((l) => +l.toFixed(2))};
    console.log(JSON.stringify(line));
  }
} finally {
  await browser.close();
  rmSync(dir, {recursive: true, force: true});
}
console.error(`\nCPU ${cpus()[0].model}, ${cpus().length} cores; A = ${pageA}, B = ${pageB}`);
for (const r of results)
  console.error(`${r.workload}: A ${r.A_steps_per_s} steps/s, B ${r.B_steps_per_s} steps/s, B/A ${r.B_over_A}, same numbers: ${r.same_numbers}`);
