/* example.js — the train/inference toggle on one example and the network diagram. The engine
 * (engine.c pg_example) puts one example through the network at inference, in training with the
 * masks of a chosen step, and in training over PASSES steps' masks, averaged; the page shows why
 * inverted dropout keeps expectations equal: a survivor is scaled by 1/(1−rate), so
 * E[training output] = (1−rate)·a/(1−rate) + rate·0 = a, the inference output. The diagram draws
 * the example's units, the dropped ones greyed and the survivors' scaling written beside them. */
'use strict';
var lastExample, EXAMPLE_PASSES = 1000, DIAGRAM_UNITS = 20;

function resetExample() {
  lastExample = null;
  $('example').innerHTML = '<p class="note">Step or Play: after the first epoch the example appears here (or press Show).</p>';
  $('diagram').innerHTML = '';
}
function requestExample() {
  if (!main) return;
  const step = Math.max(1, +$('ex-step').value | 0), row = Math.max(-1, Math.min(data.rows - 1, +$('ex-row').value | 0));
  main.worker.postMessage({type: 'example', row, step, passes: EXAMPLE_PASSES});
}
function exampleMode() { return $('ex-infer').checked ? 'inference' : 'training'; }
const isBernoulli = (l) => l && l.kind === 'dropout' && l.rate > 0;

function showExample(m) {
  lastExample = m; window.pgExampleLast = m;   // for the test: the engine's numbers as received
  const mode = exampleMode(), layers = main.layers, names = ['input', ...layers.map((l) => l.spec)];
  const f = (v) => v.toFixed(3);
  let html = `<p>example #${m.row} (true class ${className(m.label)}), ${mode === 'training' ? `training, the masks of step ${m.step}` : 'inference: dropout passes values through'}</p>`;
  // the first Bernoulli dropout layer, unit by unit: why the expectations agree
  const d = layers.findIndex(isBernoulli);
  if (d >= 0) {
    const r = layers[d].rate, scale = 1 / (1 - Math.fround(r)), a = m.training[d], keep = m.masks[d];
    const first = !layers.slice(0, d).some((l) => l.kind !== 'dense');
    html += `<table class="example" id="example-units"><caption>${names[d + 1]}: survivors × 1/(1−${r}) = ×${+scale.toPrecision(4)}</caption>
      <tr><th>unit</th><th>a</th><th>training</th><th>inference</th><th>mean, ${m.passes} masks</th></tr>`;
    for (let j = 0; j < Math.min(a.length, 20); ++j)
      html += `<tr data-unit="${j}" data-input="${a[j]}" data-keep="${keep[j]}" data-training="${m.training[d + 1][j]}"
        data-inference="${m.inference[d + 1][j]}" data-mean="${m.mean[d + 1][j]}"><td>${j}</td><td>${f(a[j])}</td>
        <td title="${keep[j] ? `kept: ${f(a[j])} × ${scale.toPrecision(4)}` : 'dropped'}">${keep[j] ? f(m.training[d + 1][j]) : '0 ✕'}</td>
        <td>${f(m.inference[d + 1][j])}</td><td>${f(m.mean[d + 1][j])}</td></tr>`;
    html += `</table><p class="note">Kept with probability 1−${r}, scaled by 1/(1−${r}): the expected training output is
      (1−${r})·a/(1−${r}) + ${r}·0 = a, the inference output, so inference needs no correction.
      ${first ? `The mean over ${m.passes} masks (steps 1–${m.passes}) comes close to it.`
              : 'An earlier dropout layer changes this layer\'s input in training, so here the mean need not match.'}
      Deeper layers are nonlinear: their mean over masks only approximates the inference output (MC dropout measures the difference).</p>`;
  }
  html += `<table class="example"><tr><th>layer</th><th>${mode} output</th></tr>`;
  m[mode].forEach((a, i) => {
    html += `<tr><td>${names[i] || ''}</td><td>${a.slice(0, 8).map(f).join(' ')}${a.length > 8 ? ' …' : ''}</td></tr>`;
  });
  const out = m[mode][m[mode].length - 1], best = out.indexOf(Math.max(...out));
  html += `</table><p>${mode}: predicted class ${best} (p = ${out[best].toFixed(4)})</p>`;
  $('example').innerHTML = html;
  drawDiagram(m, mode);
  drawExampleImage(m, mode);   // images.js: when the rows are pictures
}

/* Columns: the input and every dense layer's output; a dropout layer acts on the column before it. */
function drawDiagram(m, mode) {
  const layers = main.layers, cols = [0];
  layers.forEach((l, i) => { if (l.kind === 'dense') cols.push(i + 1); });
  const W = 340, rowH = 20, top = 16, shown = (n) => Math.min(n, DIAGRAM_UNITS);
  const most = Math.max(...cols.map((a) => shown(m.inference[a].length))), H = top + rowH * most + 12;
  const X = (c) => 20 + (W - 70) * c / Math.max(1, cols.length - 1);
  const Y = (j, n) => top + rowH * (j + 0.5 + (most - shown(n)) / 2);
  const dropped = (a, j) => mode === 'training' && isBernoulli(layers[a]) && m.masks[a] && !m.masks[a][j];
  let edges = '', units = '';
  cols.forEach((a, c) => {
    const vals = m[mode][a], n = vals.length, big = Math.max(1e-6, ...vals.map(Math.abs));
    for (let j = 0; j < shown(n); ++j) {
      if (c + 1 < cols.length && !dropped(a, j)) {
        const nb = m[mode][cols[c + 1]].length;
        for (let k = 0; k < shown(nb); ++k) edges += `<line class="edge" x1="${X(c)}" y1="${Y(j, n)}" x2="${X(c + 1)}" y2="${Y(k, nb)}"/>`;
      }
      const off = dropped(a, j), shade = Math.round(255 - 120 * Math.abs(vals[j]) / big);
      units += `<circle class="unit-c${off ? ' dropped' : ''}" cx="${X(c)}" cy="${Y(j, n)}" r="7" fill="${off ? '#d5d8dd' : `rgb(${shade},${shade},255)`}"><title>unit ${j}: ${vals[j].toFixed(4)}${off ? ', dropped' : ''}</title></circle>`;
      if (mode === 'training' && isBernoulli(layers[a]))
        units += `<text class="scale${off ? ' dropped' : ''}" x="${X(c) + 10}" y="${Y(j, n) + 3}">${off ? '×0' : '×' + (1 / (1 - layers[a].rate)).toPrecision(3)}</text>`;
    }
    if (n > DIAGRAM_UNITS) units += `<text x="${X(c) - 12}" y="${H - 1}">+${n - DIAGRAM_UNITS}</text>`;
    units += `<text x="${X(c) - 12}" y="10">${c === 0 ? 'input' : c === cols.length - 1 ? 'output' : 'dense ' + c}</text>`;
  });
  const svg = $('diagram');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.innerHTML = edges + units;
  svg.setAttribute('aria-label', `Network diagram of example #${m.row}, ${mode}: ` +
    `${svg.querySelectorAll('circle.dropped').length} units dropped`);
}

$('ex-go').onclick = requestExample;
for (const id of ['ex-train', 'ex-infer']) $(id).onchange = () => { if (lastExample) showExample(lastExample); };
