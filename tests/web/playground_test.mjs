// playground_test.mjs — `make test-web`: the playground (build/web/playground.html) in headless
// Chromium against the CLI. Usage: node playground_test.mjs PAGE DROPNET [SHOTS_DIR]
//  1. the first training step's mask drops exactly as many inputs as `dropnet demo` reports;
//  2. 5 epochs of the seed network put in the DOM the per-epoch loss and accuracy that
//     `dropnet demo --log` writes (to 1e-5; whether they are identical to the log's 9 digits is
//     printed);
//  3. the masks' dropped fraction over all 125 steps is the rate (within 4 standard deviations),
//     and the page's own replay of a step's mask (Philox in JavaScript) is the engine's;
//  4. a 2-D set with Compare and MC dropout trains to the end and draws its map;
//  5. `dropnet play --data` embeds a CSV (class names with '<' in them) and the page trained on
//     it gives the numbers of `dropnet train --log` with the same settings;
//  6. the train/inference toggle: the first example of the first batch (the demo's sample) in
//     training is its input × keep/(1−rate) with the engine's step-1 mask (the replayed mask's
//     row 0 and the demo's dropped count), at inference its input, and the mean over 1000
//     training passes within 4 sd of it; the diagram greys exactly the dropped units;
//  7. the quiz: its 12 questions, options and answers are those of `dropnet quiz --seed 42`
//     (numbers from the same run), and answering in the page scores them;
//  8. Fashion-MNIST embedded by `dropnet play --data fashion-mnist:train --max-rows 2000`: the
//     page holds one byte a pixel (base64), every decoded value is the IDX byte × float32(1/255)
//     as the CLI reads it, the gallery draws the IDX file's own bytes (read here with zlib, not
//     by dropnet) under Fashion-MNIST's class names, and after an epoch the followed image's red
//     pixels are the engine's dropped ones;
//  9. a table of more than 256 distinct values (the CSV of 5) is decoded bit for bit: every value
//     the float32 of its CSV text; with --standardize, (x − mean) / std as computed here;
// 10. the engine is the SIMD128 build (make web), and a browser without SIMD128 is told why
//     (the worker's probe, run here in node with WebAssembly.validate answering no);
//  then the steps per second drawn are measured (printed, not asserted: speed is not a test) and
//  screenshots written to SHOTS_DIR (docs/PLAYGROUND.md shows them).
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {gunzipSync} from 'node:zlib';
import {launch} from './cdp.mjs';

const [page, cli, shots = 'build/web/shots'] = process.argv.slice(2);
let passed = 0, failed = 0;
const check = (ok, what) => { ok ? passed++ : failed++; console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); };

const tmp = mkdtempSync(join(tmpdir(), 'dropnet-web-test-'));
const log = join(tmp, 'demo.jsonl');
const demoText = execFileSync(cli, ['demo', '--log', log], {encoding: 'utf8'});
const demo = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const demoRaw = readFileSync(log, 'utf8').trim().split('\n');
// the CLI with the portable GEMM kernel (the one the wasm build runs), for the bit-identity report
const logPortable = join(tmp, 'portable.jsonl');
execFileSync(cli, ['demo', '--log', logPortable], {env: {...process.env, DROPNET_KERNEL: 'portable'}});
const portableRaw = readFileSync(logPortable, 'utf8').trim().split('\n');
const quizText = execFileSync(cli, ['quiz', '--seed', '42'], {input: 'A\n'.repeat(12), encoding: 'utf8'});
const cliQuiz = quizText.split(/\nQuestion \d+ of \d+\n/).slice(1).map((block) => {
  const lines = block.split('\n');
  return {text: lines[0], options: lines.slice(1, 5).map((l) => l.replace(/^  [A-D]\) /, '')),
          answer: 'ABCD'.indexOf(block.match(/(?:the answer is )([A-D])/)[1])};
});
const firstBatch = demoText.match(/this batch: (\d+) of (\d+) dropped/);
rmSync(tmp, {recursive: true, force: true});
mkdirSync(shots, {recursive: true});

const url = (hash) => 'file://' + resolve(page) + '#' + hash;
// the rectangle of the page's column that holds heading `id`, from the heading's section down
// `height` pixels (or to the column's end): a screenshot of it leaves out the other columns,
// which are empty that far down
const columnFrom = (id, height) => `(() => { const section = document.getElementById('${id}').closest('section'),
  column = section.parentElement.getBoundingClientRect(), box = section.getBoundingClientRect(),
  left = Math.min(column.left, box.left) - 4, right = Math.max(column.right, box.right) + 4, top = box.top - 4;
  return {x: left + scrollX, y: top + scrollY, width: right - left,
          height: Math.min(${height}, column.bottom - top)}; })()`;
// a picture of that column: the viewport made as tall as the page first (no scroll bar, nothing
// sticky over it, everything painted), then the rectangle measured and captured
async function columnShot(browser, id, height) {
  await browser.evaluate(`window.scrollTo(0, 0)`);
  const whole = await browser.evaluate(`document.documentElement.scrollHeight`);
  await browser.screenshot(1400, whole);
  await browser.evaluate(`new Promise((done) => requestAnimationFrame(() => setTimeout(done, 300)))`);
  const picture = await browser.screenshotClip(await browser.evaluate(columnFrom(id, height)));
  await browser.screenshot(1400, 1000);
  return picture;
}
const SEED = 'data=seed&train=0.8&family=dropout&inrate=0.2&layers=10:relu:0&optimizer=3&lr=0.005&batch=32&seed=42&compare=0&mc=0';
const waitFor = (cond, ms = 60000) => `new Promise((ok, no) => { const t0 = Date.now();
  (function poll() { let v; try { v = ${cond}; } catch (e) {} if (v) ok(v);
    else if (Date.now() - t0 > ${ms}) no(new Error('timed out waiting for: ' + ${JSON.stringify(cond)}));
    else setTimeout(poll, 20); })(); })`;
const maskInfo = `(() => { const l = document.querySelector('.mask-label'); return l && {...l.dataset}; })()`;

// 10: without SIMD128 the worker posts why instead of failing to compile the engine
{
  const pageText = readFileSync(page, 'utf8');
  const worker = pageText.slice(pageText.indexOf("'use strict';\nlet engine = null;"));
  const probe = (validate) => {
    const posted = [];
    const setup = new Function('self', 'postMessage', 'onmessage', 'WebAssembly', 'createEngine',
      worker.slice(0, worker.indexOf('</script>')) + '; return setup;')({}, (m) => posted.push(m), null, {validate}, () => { posted.push('engine'); return new Promise(() => {}); });
    setup({});
    return posted;
  };
  const without = probe(() => false), withSimd = probe(WebAssembly.validate);
  check(/const ENGINE_SIMD = true/.test(pageText) && without.length === 1 && /has no SIMD128/.test(without[0].message) &&
        withSimd[0] === 'engine', `WebAssembly SIMD128 engine; without SIMD128 the page says: "${without[0] && without[0].message.slice(0, 60)}…"`);
}

const browser = await launch();
try {
  // 1-3: the seed network, 5 epochs
  await browser.goto(url(SEED + '&epochs=5&speed=0'));
  await browser.evaluate(waitFor(`document.body.dataset.state === 'ready'`));
  await browser.evaluate(`document.getElementById('step').click()`);
  const first = await browser.evaluate(waitFor(`(${maskInfo}) && (${maskInfo}).step === '1' && ${maskInfo}`));
  check(firstBatch && +first.dropped === +firstBatch[1] && +first.elements === +firstBatch[2],
        `step 1 mask: ${first.dropped} of ${first.elements} dropped; dropnet demo: ${firstBatch && firstBatch[1]} of ${firstBatch && firstBatch[2]}`);
  // Step epoch runs to the end of epoch 1 (step 25 of 25) and stops there
  await browser.evaluate(`document.getElementById('epoch').click()`);
  await browser.evaluate(waitFor(`(${maskInfo}).step === '25'`));
  await new Promise((r) => setTimeout(r, 400));
  const held = await browser.evaluate(`[(${maskInfo}).step, document.querySelectorAll('#epochs-table tbody tr').length]`);
  check(held[0] === '25' && held[1] === 1, `Step epoch stops at step ${held[0]} with ${held[1]} epoch in the table`);
  await browser.evaluate(`document.getElementById('play').click()`);
  await browser.evaluate(waitFor(`document.body.dataset.state === 'done'`));
  const rows = await browser.evaluate(`[...document.querySelectorAll('#epochs-table tbody tr')].map((r) => ({...r.dataset}))`);
  check(rows.length === demo.length, `${rows.length} epochs in the page, ${demo.length} in dropnet demo --log`);
  let worst = 0, identical = true, identicalPortable = true;
  const keys = {loss: 'loss', accuracy: 'accuracy', valLoss: 'val_loss', valAccuracy: 'val_accuracy'};
  rows.forEach((r, i) => {
    for (const [k, lk] of Object.entries(keys)) {
      const a = +r[k], b = demo[i][lk];
      worst = Math.max(worst, Math.abs(a - b));
      const text = demoRaw[i].match(new RegExp(`"${lk}":([^,}]+)`))[1];
      if (parseFloat(a.toPrecision(9)) !== parseFloat(text)) identical = false;
      const portable = portableRaw[i].match(new RegExp(`"${lk}":([^,}]+)`))[1];
      if (parseFloat(a.toPrecision(9)) !== parseFloat(portable)) identicalPortable = false;
    }
  });
  check(rows.length === demo.length && worst <= 1e-5, `per-epoch loss/accuracy/val_loss/val_accuracy: largest difference ${worst.toExponential(2)} (≤ 1e-5)`);
  console.log(`info identical to the 9 significant digits of --log: ${identical ? 'yes' : 'no'}; ` +
              `of --log with DROPNET_KERNEL=portable: ${identicalPortable ? 'yes' : 'no'}`);
  // The mask panel is redrawn on the next animation frame, which on a loaded machine can come
  // after the page says 'done': wait (10 s at most) for it to show the last step.
  await browser.evaluate(waitFor(`(${maskInfo} || {}).step === '125'`, 10000)).catch(() => {});
  const last = await browser.evaluate(maskInfo);
  const frac = last.totalDropped / last.totalElements, sd = Math.sqrt(0.2 * 0.8 / last.totalElements);
  check(+last.step === 125 && Math.abs(frac - 0.2) < 4 * sd,
        `dropped fraction over ${last.step} steps: ${(100 * frac).toFixed(3)}% for rate 20% (4 sd = ${(400 * sd).toFixed(3)}%)`);
  // the prediction trace of validation example #800, as the demo prints it
  await browser.evaluate(`(() => { document.getElementById('trace-row').value = 800; document.getElementById('trace-go').click(); })()`);
  const traced = await browser.evaluate(waitFor(`document.querySelector('#trace p') && document.querySelector('#trace p').textContent`));
  const pagePred = traced.match(/predicted class (\d+) \(p = ([0-9.]+)\), true class (\d+)/);
  const demoPred = demoText.match(/Predicted class (\d+) \(p = ([0-9.]+)\), true class (\d+)/);
  check(pagePred && demoPred && pagePred[1] === demoPred[1] && pagePred[3] === demoPred[3] &&
        (+pagePred[2]).toFixed(3) === demoPred[2], `trace of example #800: page "${traced}", demo "${demoPred && demoPred[0]}"`);
  // the page's Philox replay of a step's mask is the engine's mask, bit for bit
  const replay = await browser.evaluate(`(() => { const live = main.last.masks[0], r = pgReplay(main.last.step).masks[0],
    first = pgReplay(1).masks[0];
    return {same: live.keep.length === r.keep.length && live.keep.every((v, i) => v === r.keep[i]),
            step: main.last.step, first: first.dropped}; })()`);
  check(replay.same && replay.first === +firstBatch[1],
        `mask replayed in the page from (seed, layer, step, element) = the engine's at step ${replay.step}; step 1 replayed: ${replay.first} dropped`);
  // 6: the train/inference toggle on the demo's sample example, and the diagram
  await browser.evaluate(`(() => { document.getElementById('ex-row').value = -1; document.getElementById('ex-step').value = 1;
    window.pgExampleLast = null; document.getElementById('ex-train').checked = true; document.getElementById('ex-go').click(); })()`);
  const ex = await browser.evaluate(waitFor(`window.pgExampleLast && pgExampleLast.passes === 1000 && pgExampleLast`));
  const sample = demoText.match(/sample: example #(\d+)/), rowDrop = demoText.match(/this row: (\d+) of (\d+) dropped/);
  const replay0 = await browser.evaluate(`Array.from(pgReplay(1).masks[0].keep.slice(0, 20))`);
  const keep = ex.masks[0], r = Math.fround(0.2);
  let scaled = true, worstMean = 0, dropped0 = 0;
  ex.training[0].forEach((a, j) => {
    const t = ex.training[1][j], inf = ex.inference[1][j], mean = ex.mean[1][j];
    if (keep[j] ? Math.abs(t - a / (1 - r)) > 1e-6 * Math.abs(a) + 1e-7 : t !== 0) scaled = false;
    if (inf !== ex.inference[0][j]) scaled = false;
    dropped0 += 1 - keep[j];
    worstMean = Math.max(worstMean, Math.abs(mean - inf) / (Math.abs(inf) * Math.sqrt(r / (1 - r) / 1000) || 1));
  });
  check(sample && ex.row === +sample[1] && keep.every((v, j) => v === replay0[j]) && dropped0 === +rowDrop[1],
        `toggle: example #${ex.row} (demo's sample #${sample && sample[1]}), its step-1 mask = row 0 of the replayed batch mask, ${dropped0} of 20 dropped (demo: ${rowDrop && rowDrop[1]})`);
  check(scaled && worstMean < 4, `toggle: training = input × keep/(1−0.2), inference = input; mean of 1000 training passes within ${worstMean.toFixed(2)} sd of inference (< 4)`);
  const diagram = (mode) => browser.evaluate(`(() => { document.getElementById('ex-${mode}').checked = true;
    document.getElementById('ex-${mode}').dispatchEvent(new Event('change'));
    const s = document.getElementById('diagram');
    return {dropped: s.querySelectorAll('circle.dropped').length, units: s.querySelectorAll('circle').length,
            scaled: [...s.querySelectorAll('text.scale')].filter((t) => t.textContent === '×1.25').length}; })()`);
  const dTrain = await diagram('infer').then(() => diagram('train')), dInfer = await diagram('infer');
  check(dTrain.dropped === dropped0 && dTrain.scaled === 20 - dropped0 && dInfer.dropped === 0 && dInfer.scaled === 0 && dTrain.units === 20 + 10 + 3,
        `diagram: training greys ${dTrain.dropped} units and labels ${dTrain.scaled} ×1.25; inference greys ${dInfer.dropped}; ${dTrain.units} units drawn`);
  await browser.evaluate(`(() => { document.getElementById('ex-train').checked = true; document.getElementById('ex-train').dispatchEvent(new Event('change')); })()`);
  // 7: the quiz, as `dropnet quiz --seed 42` asks it
  const pageQuiz = await browser.evaluate(waitFor(`window.pgQuiz && pgQuiz.length === 12 && pgQuiz`));
  const cliWords = (t) => t.replace("The demo's network", 'The network').replace("The demo's", "The network's");
  const same = pageQuiz.filter((q, i) => cliQuiz[i] && q.text === cliWords(cliQuiz[i].text) && q.answer === cliQuiz[i].answer &&
                                          q.options.every((o, k) => o === cliQuiz[i].options[k]));
  check(cliQuiz.length === 12 && same.length === 12, `quiz: ${same.length} of ${cliQuiz.length} questions, options and answers equal to dropnet quiz --seed 42's` +
        (same.length < 12 ? ` (first differing: ${JSON.stringify(pageQuiz.find((q) => !same.includes(q)))})` : ''));
  const score = await browser.evaluate(`(() => { document.querySelectorAll('#quiz fieldset').forEach((f, i) => {
      const k = i === 0 ? (+f.dataset.answer + 1) % 4 : +f.dataset.answer, input = f.querySelectorAll('input')[k];
      input.checked = true; input.dispatchEvent(new Event('change', {bubbles: true})); });
    return [document.getElementById('quiz-score').textContent, document.querySelector('#quiz .verdict').className]; })()`);
  check(score[0] === '12 of 12 answered, 11 right' && score[1] === 'verdict wrong', `quiz answered in the page (one wrong on purpose): "${score[0]}"`);
  writeFileSync(join(shots, 'example-quiz.png'), await columnShot(browser, 'h-example', 1800));
  await browser.evaluate(`window.scrollTo(0, 0)`);
  await browser.evaluate(`(() => { const s = document.getElementById('scrub'); s.value = 40; s.dispatchEvent(new Event('input')); })()`);
  await new Promise((r) => setTimeout(r, 300));
  // seconds after the run ended no step falls in the last second: the status gives the run's rate
  // while playing (it read "0 steps/s trained, 0 drawn/s" in the shot of December 2026)
  const ended = await browser.evaluate(`[document.getElementById('status').textContent, {...document.getElementById('status').dataset}]`);
  const endRate = ended[0].match(/step 125 · done: (\d+) steps\/s trained while playing$/);
  check(ended[1].trained === '0' && endRate && +endRate[1] > 0 && +ended[1].played === +endRate[1],
        `finished run's status: "${ended[0]}" (steps in the last second: ${ended[1].trained})`);
  writeFileSync(join(shots, 'seed.png'), await browser.screenshot());
  await browser.evaluate(`document.getElementById('live').click()`);

  // speed: the seed network for 2000 epochs (50000 steps) as fast as it goes, 60 paced at 60
  // steps/s; each sampled every 0.5 s for 3 s (status carries the counts of the last second)
  for (const speed of [0, 60]) {
    await browser.goto('about:blank');
    await browser.goto(url(SEED + `&epochs=${speed ? 60 : 2000}&speed=${speed}`));
    await browser.evaluate(waitFor(`document.body.dataset.state === 'ready'`));
    await browser.evaluate(`document.getElementById('play').click()`);
    const samples = await browser.evaluate(`new Promise((ok) => { const s = []; const t = setInterval(() => {
      const d = document.getElementById('status').dataset; s.push([+d.trained, +d.drawn]);
      if (s.length === 6 || document.body.dataset.state === 'done') { clearInterval(t); ok(s); } }, 500); })`);
    const tail = samples.slice(2), med = (k) => tail.map((x) => x[k]).sort((x, y) => x - y)[tail.length >> 1];
    console.log(`info seed network, speed ${speed || 'as fast as it goes'}: ${med(0)} steps/s trained, ${med(1)} steps/s drawn (median of ${JSON.stringify(tail)})`);
    if (speed === 0) {
      await browser.evaluate(`document.getElementById('play').click()`);
      writeFileSync(join(shots, 'seed-playing.png'), await browser.screenshot());
    }
  }

  // 4: a 2-D set with Compare and MC dropout
  await browser.goto('about:blank');
  await browser.goto(url('data=circles&noise=0.15&train=0.5&family=dropout&inrate=0&layers=32:relu:0.5;32:relu:0.5&optimizer=3&lr=0.01&batch=16&epochs=60&seed=7&compare=1&mc=1&speed=0'));
  await browser.evaluate(waitFor(`document.body.dataset.state === 'ready'`));
  await browser.evaluate(`document.getElementById('play').click()`);
  await browser.evaluate(waitFor(`document.body.dataset.state === 'done'`, 120000));
  await browser.evaluate(waitFor(`document.querySelectorAll('#compare-table tbody tr').length === 60`));
  const two = await browser.evaluate(`(() => { const r = [...document.querySelectorAll('#epochs-table tbody tr')].pop().dataset,
    c = [...document.querySelectorAll('#compare-table tbody tr')].pop().dataset;
    const g = document.getElementById('map').getContext('2d').getImageData(0, 0, 320, 320).data;
    let painted = 0; for (let i = 3; i < g.length; i += 4) painted += g[i] > 0;
    return {acc: +r.valAccuracy, gap: r.valLoss - r.loss, cmpAcc: +c.valAccuracy, cmpGap: c.valLoss - c.loss, painted}; })()`);
  check(two.acc > 0.9 && two.painted > 320 * 320 * 0.9,
        `circles, 60 epochs: validation accuracy ${two.acc.toFixed(3)} (> 0.9), map painted`);
  console.log(`info circles: gap (val loss − loss) ${two.gap.toFixed(4)} with dropout 0.5, ${two.cmpGap.toFixed(4)} with every rate 0 (val accuracy ${two.cmpAcc.toFixed(3)})`);
  writeFileSync(join(shots, 'circles-compare-mc.png'), await browser.screenshot());
  writeFileSync(join(shots, 'circles-map.png'), await columnShot(browser, 'h-map', 1000));
  await browser.evaluate(`window.scrollTo(0, 0)`);
  writeFileSync(join(shots, 'phone.png'), await browser.screenshot(390, 1400));
  await browser.screenshot(1400, 1000);

  // 5: dropnet play --data: a CSV of 300 points in 2 classes named "inside" and "out</script>"
  const dir = mkdtempSync(join(tmpdir(), 'dropnet-play-'));
  const rnd = (() => { let a = 12345; return () => (a = (a * 1103515245 + 12345) % 2147483648) / 2147483648; })();
  let csv = 'x,y,label\n';
  for (let i = 0; i < 300; ++i) {
    const x = 4 * rnd() - 2, y = 4 * rnd() - 2;
    csv += `${x.toFixed(4)},${y.toFixed(4)},${x * x + y * y < 1.5 ? 'inside' : 'out</script>'}\n`;
  }
  writeFileSync(join(dir, 't.csv'), csv);
  execFileSync(cli, ['play', '--data', join(dir, 't.csv'), '--out', join(dir, 'play.html'), '--page', page]);
  // 0.25, not 0.2: train holds --val-split as a float, and 300·(1 − 0.2f) = 239.99999 keeps 239
  // training rows where the page (and Keras) keep 240
  execFileSync(cli, ['train', '--train', join(dir, 't.csv'), '--model', 'dropout:0.1,dense:16:relu,dense:2:softmax',
    '--optimizer', 'adam', '--lr', '0.01', '--batch', '16', '--epochs', '3', '--seed', '5', '--val-split', '0.25',
    '--log', join(dir, 't.jsonl'), '--out', join(dir, 'm.safetensors')]);
  const trained = readFileSync(join(dir, 't.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  await browser.goto('about:blank');
  await browser.goto('file://' + join(dir, 'play.html') + '#data=embedded&train=0.75&family=dropout&inrate=0.1' +
    '&layers=16:relu:0&optimizer=3&lr=0.01&batch=16&epochs=3&seed=5&compare=0&mc=0&speed=0');
  await browser.evaluate(waitFor(`document.body.dataset.state === 'ready'`));
  const option = await browser.evaluate(`document.querySelector('#data option[value=embedded]').textContent`);
  await browser.evaluate(`document.getElementById('play').click()`);
  await browser.evaluate(waitFor(`document.body.dataset.state === 'done'`));
  const own = await browser.evaluate(`[...document.querySelectorAll('#epochs-table tbody tr')].map((r) => ({...r.dataset}))`);
  let worstOwn = 0;
  own.forEach((r, i) => { for (const [k, lk] of Object.entries(keys)) worstOwn = Math.max(worstOwn, Math.abs(+r[k] - trained[i][lk])); });
  check(option === 't.csv: 300 × 2, 2 classes' && own.length === 3 && worstOwn <= 1e-5,
        `dropnet play --data t.csv ("${option}"): 3 epochs, largest difference from dropnet train --log ${worstOwn.toExponential(2)}`);
  writeFileSync(join(shots, 'own-data.png'), await browser.screenshot(1400, 1000));
  // 9: the decoded table is the CSV's values, bit for bit (float32 of each cell's text)
  const cells = csv.trim().split('\n').slice(1).map((l) => l.split(','));
  const want = cells.flatMap((c) => [Math.fround(+c[0]), Math.fround(+c[1])]);
  const got = await browser.evaluate(`({x: Array.from(EMBEDDED.x), kind: Object.keys(JSON.parse(document.getElementById('pg-data').textContent).x)})`);
  check(got.kind[0] === 'float32' && got.x.length === 600 && got.x.every((v, i) => Object.is(v, want[i])),
        `dropnet play --data t.csv: ${got.x.length} values embedded as ${got.kind[0]}, every one the float32 of its CSV text`);
  execFileSync(cli, ['play', '--data', join(dir, 't.csv'), '--standardize', '--out', join(dir, 'std.html'), '--page', page]);
  await browser.goto('about:blank');
  await browser.goto('file://' + join(dir, 'std.html') + '#data=embedded');
  await browser.evaluate(waitFor(`document.body.dataset.state === 'ready'`));
  const gotStd = await browser.evaluate(`Array.from(EMBEDDED.x)`);
  let worstStd = 0;
  for (const j of [0, 1]) {   // population mean and std in double, as scikit-learn's StandardScaler
    const col = want.filter((v, i) => i % 2 === j), m = col.reduce((a, b) => a + b, 0) / col.length;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / col.length);
    col.forEach((v, r) => { worstStd = Math.max(worstStd, Math.abs(gotStd[2 * r + j] - (v - m) / sd)); });
  }
  check(gotStd.length === 600 && worstStd < 1e-6, `dropnet play --standardize: the page's (x − mean) / std within ${worstStd.toExponential(2)} of this test's (< 1e-6)`);
  rmSync(dir, {recursive: true, force: true});

  // 8: Fashion-MNIST, 2000 images (Debian's dataset-fashion-mnist, installed by make setup)
  const fm = '/usr/share/datasets/fashion-mnist';
  const pixels = gunzipSync(readFileSync(join(fm, 'train-images-idx3-ubyte.gz'))).subarray(16);
  const labels = gunzipSync(readFileSync(join(fm, 'train-labels-idx1-ubyte.gz'))).subarray(8);
  const fmDir = mkdtempSync(join(tmpdir(), 'dropnet-play-fm-'));
  execFileSync(cli, ['play', '--data', 'fashion-mnist:train', '--max-rows', '2000', '--out', join(fmDir, 'fm.html'), '--page', page]);
  const fmSize = statSync(join(fmDir, 'fm.html')).size, pageSize = statSync(page).size;
  await browser.goto('about:blank');
  await browser.goto('file://' + join(fmDir, 'fm.html') + '#data=embedded&train=0.8&family=dropout&inrate=0.2' +
    '&layers=64:relu:0.5&optimizer=3&lr=0.001&batch=32&epochs=2&seed=42&compare=0&mc=0&speed=0');
  await browser.evaluate(waitFor(`document.body.dataset.state === 'ready'`));
  const gallery = await browser.evaluate(`(() => { const c = [...document.querySelectorAll('#gallery canvas')];
    const px = c.slice(0, 5).map((k) => { const d = k.getContext('2d').getImageData(0, 0, 56, 56).data, v = [];
      for (let i = 0; i < 784; ++i) v.push(d[4 * ((Math.floor(i / 28) * 2) * 56 + (i % 28) * 2)]); return v; });
    return {n: c.length, px, captions: [...document.querySelectorAll('#gallery figcaption')].slice(0, 5).map((f) => f.textContent)}; })()`);
  // every decoded value: the IDX byte × float32(1/255), as the CLI's IDX reader gives it
  const decoded = await browser.evaluate(`(() => { const x = EMBEDDED.x, k = new Uint8Array(x.length), s = Math.fround(1 / 255);
    let exact = true; for (let i = 0; i < x.length; ++i) { k[i] = Math.round(x[i] * 255); if (x[i] !== Math.fround(k[i] * s)) exact = false; }
    let b = ''; for (let i = 0; i < k.length; i += 8192) b += String.fromCharCode.apply(null, k.subarray(i, i + 8192));
    return {exact, n: x.length, bytes: btoa(b)}; })()`);
  const decodedBytes = Buffer.from(decoded.bytes, 'base64');
  check(decoded.exact && decoded.n === 2000 * 784 && decodedBytes.equals(pixels.subarray(0, 2000 * 784)) &&
        fmSize - pageSize < 2000 * 784 * 4 / 3 + 20000,
        `Fashion-MNIST: ${(fmSize / 1e6).toFixed(2)} MB page (the empty one ${(pageSize / 1e6).toFixed(2)} MB; ≤ 1 byte a pixel in base64), its ${decoded.n} decoded values the IDX bytes × float32(1/255), every one`);
  const NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  const sameImages = gallery.px.every((v, r) => v.every((p, i) => p === pixels[r * 784 + i]));
  const sameNames = gallery.captions.every((t, r) => t === `#${r} ${NAMES[labels[r]]}`);
  check(gallery.n === 40 && sameImages && sameNames,
        `Fashion-MNIST: ${gallery.n} images drawn; the first 5 pixel for pixel the IDX file's, captions ${JSON.stringify(gallery.captions.slice(0, 2))}`);
  await browser.evaluate(`document.getElementById('epoch').click()`);
  const fmEx = await browser.evaluate(waitFor(`window.pgExampleLast && pgExampleLast.masks[0] && document.getElementById('ex-image').dataset.dropped && pgExampleLast`));
  const fmShown = await browser.evaluate(`(() => { const c = document.getElementById('ex-image'), d = c.getContext('2d').getImageData(0, 0, 112, 112).data;
    let red = 0; for (let i = 0; i < 784; ++i) { const o = 4 * ((Math.floor(i / 28) * 4) * 112 + (i % 28) * 4); red += d[o] === 220 && d[o + 1] === 30; }
    return {red, row: pgExampleLast.row, acc: +document.querySelector('#epochs-table tbody tr').dataset.valAccuracy}; })()`);
  const fmDropped = fmEx.masks[0].filter((k) => !k).length;
  check(fmShown.red === fmDropped && fmShown.row === fmEx.row && fmShown.acc > 0.5,
        `Fashion-MNIST: example #${fmShown.row}'s image shows ${fmShown.red} red pixels, the engine dropped ${fmDropped}; epoch 1 val accuracy ${fmShown.acc.toFixed(3)} (> 0.5)`);
  writeFileSync(join(shots, 'fashion-mnist.png'), await browser.screenshot(1400, 1000));
  writeFileSync(join(shots, 'fashion-example.png'), await columnShot(browser, 'h-example', 1000));
  rmSync(fmDir, {recursive: true, force: true});
} catch (e) {
  check(false, 'the page: ' + e.message);
} finally {
  await browser.close();
}
console.log(`web: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
