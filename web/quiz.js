/* quiz.js — the seed's quiz, answered in the page, its numbers taken from the learner's run: the
 * same twelve questions as `dropnet quiz` (cli/learn/quiz_bank.c), the same facts, the same
 * option order for the same seed (Philox stream 0x5155, Fisher–Yates). For the seed network the
 * page asks exactly what `dropnet quiz --seed 42` asks (tests/web checks it). The numbers come
 * from the engine: the first batch's mask (replayed, bit for bit the engine's), the first example
 * of the first batch through the network in training at step 1 (engine.c pg_example), the first
 * validation example at inference, epoch 1's figures, the layers' parameter counts. */
'use strict';
var quizParts;

/* C's %g for the values quoted here (6 significant digits, no trailing zeros). */
const fmtG = (v) => String(+(+v).toPrecision(6));

function resetQuiz() {
  quizParts = {survivor: null, inference: null};
  $('quiz').innerHTML = '<p class="note">The questions appear after the first epoch, with this run\'s numbers.</p>';
}
/* At the end of epoch 1: the two examples the questions quote, from the engine. */
function requestQuiz() {
  const trainRows = Math.floor(data.rows * settings.train);
  main.worker.postMessage({type: 'example', row: -1, step: 1, passes: 0, purpose: 'quiz-survivor'});
  main.worker.postMessage({type: 'example', row: Math.min(trainRows, data.rows - 1), step: 1, passes: 0, purpose: 'quiz-inference'});
}
function quizExample(m) {
  quizParts[m.purpose === 'quiz-survivor' ? 'survivor' : 'inference'] = m;
  if (quizParts.survivor && quizParts.inference && main.epochs.length) renderQuiz(buildQuiz());
}

/* The questions: {text, options (right one first), why}, as quiz_bank.c builds them. */
function buildQuiz() {
  const layers = main.layers, d = layers.findIndex(isBernoulli), q = [];
  const fixed = (text, right, w1, w2, w3, why) => q.push({text, options: [right, w1, w2, w3], why});
  fixed('What does the dropout layer do during training?',
    'Randomly turns off some neurons to prevent overfitting', 'Increases the number of neurons to improve learning',
    'Normalizes the input data to zero mean', 'Combines multiple layers into one',
    'Each training step zeroes a random subset of the values it receives, so no unit can rely on any particular other one (the learning page\'s question).');
  if (d >= 0) {
    const r = Math.fround(layers[d].rate), rs = fmtG(r), s = quizParts.survivor;
    const mask = replayStep(1).masks.find((k) => k.layer === d), n = mask.rows * mask.cols, dropped = mask.dropped;
    const pct = (100 * dropped / n).toFixed(1), before = s.training[d], after = s.training[d + 1], keep = s.masks[d];
    let j = 0;
    for (let u = 0; u < before.length; ++u) if (keep[u] && Math.abs(before[u]) >= Math.fround(0.1)) { j = u; break; }
    const x = before[j], what = d === 0 ? 'inputs' : 'values', one = d === 0 ? 'Input' : 'Value';
    q.push({text: `In this run's first training batch Dropout(${rs}) dropped ${dropped} of ${n} ${what} (${pct} %). ` +
      `${one} ${j + 1} of example #${s.row}, ${x.toFixed(4)}, survived. What value did the next layer receive?`,
      options: [after[j].toFixed(4), x.toFixed(4), (x * (1 - r)).toFixed(4), (x * r).toFixed(4)],
      why: `Inverted dropout scales every survivor by 1/(1 - ${rs}) = ${fmtG(1 / (1 - r))} during training: ` +
        `${x.toFixed(4)} / ${fmtG(1 - r)} = ${after[j].toFixed(4)}, the value the run computed. Dropped ${what} become 0.`});
    q.push({text: `That batch dropped ${pct} % of its ${what}, but the rate is ${fmtG(r * 100)} %. Why the difference?`,
      options: [`Each ${d === 0 ? 'input' : 'value'} is dropped independently with probability ${rs}, so the count varies from batch to batch around ${(n * r).toFixed(0)}`,
        `Dropout drops exactly ${fmtG(r * 100)} % of every row, rounded down`, 'The rate only takes full effect from the second epoch on',
        'Part of the batch ran at inference, where nothing is dropped'],
      why: `Every element gets its own random draw, so the number dropped is binomial(${n}, ${rs}): ${(n * r).toFixed(0)} on average, ` +
        `give or take ${Math.sqrt(n * r * (1 - r)).toFixed(1)} (one standard deviation). ${dropped} is an ordinary outcome.`});
    q.push({text: `A batch of ${mask.rows} examples × ${mask.cols} ${d === 0 ? 'features' : 'units'} goes through Dropout(${rs}) in training. ` +
      `How many of its ${n} ${what} are dropped on average?`,
      options: [(n * r).toFixed(0), (n * (1 - r)).toFixed(0), (n * r / 2).toFixed(0), (n * r / (1 - r)).toFixed(0)],
      why: `The rate is the probability of being dropped: ${n} × ${rs} = ${(n * r).toFixed(0)} on average (this run's first batch dropped ${dropped}).`});
    const v = quizParts.inference, xi = v.inference[d][0];
    q.push({text: `After training, validation example #${v.row} is predicted (inference). Its first ${d === 0 ? 'feature' : 'value into the dropout layer'} ` +
      `is ${xi.toFixed(4)}. What does Dropout(${rs}) pass on?`,
      options: [`${xi.toFixed(4)}: dropout passes values through unchanged`, `${(xi / (1 - r)).toFixed(4)}: scaled by 1/(1 - ${rs})`,
        `${(xi * (1 - r)).toFixed(4)}: scaled by 1 - ${rs}`, `0 with probability ${rs}, else ${(xi / (1 - r)).toFixed(4)}`],
      why: 'At inference dropout is the identity. The scaling happens in training instead, so both modes see inputs of the same expected size.'});
  }
  fixed('With inverted dropout at rate r, what is the expected training-time output of a unit whose input is x?',
    'x', '(1 - r)·x', 'x / (1 - r)', 'r·x',
    'Kept with probability 1 - r and then scaled by 1/(1 - r): (1 - r) · x/(1 - r) + r · 0 = x. That is why inference needs no correction.');
  const e = main.epochs[0];
  q.push({text: `After epoch 1 of this run the training loss was ${e.loss.toFixed(4)} and the validation loss ${e.valLoss.toFixed(4)}. ` +
    `Which explains validation ${e.valLoss < e.loss ? 'beating' : 'being this close to'} training?`,
    options: ['Training loss is measured with dropout active and averaged over the epoch while the network was still learning; validation uses the whole network at the end of the epoch',
      'The validation rows were chosen to be easier', 'Validation loss leaves out the softmax', 'The network has already memorised the validation rows'],
    why: `Epoch 1 here: loss ${e.loss.toFixed(4)} in training, ${e.valLoss.toFixed(4)} on validation. A thinned, noisy network scores worse than the full one, ` +
      'and the epoch\'s mean includes its first, worst batches. The validation rows are never trained on.'});
  fixed('Keras\' Dropout(0.2): what fraction of its inputs does it keep during training, on average?', '80 %', '20 %', '100 %, but scaled by 0.8', '50 %',
    'The argument is the rate of DROPPED inputs (PyTorch\'s p means the same). An old tiny-dnn bug kept `rate` instead of 1 - rate.');
  fixed('In back-propagation through Dropout(0.2), what gradient does each unit pass back?',
    '0 for dropped units, the incoming gradient × 1.25 for kept ones', 'The incoming gradient, unchanged, for every unit',
    'The incoming gradient × 0.8 for every unit', '0 for kept units, × 1.25 for dropped ones',
    'The backward pass applies the same mask and scale as the forward pass: y = x·keep/(1 - r) gives dy/dx = keep/(1 - r).');
  // parameters: every dense layer's (inputs + 1) × units; the dense layer after the dropout one
  let width = data.features, total = 0, dense = null;
  layers.forEach((l, i) => {
    if (l.kind !== 'dense') return;
    const p = (width + 1) * l.units;
    if (!dense && i > d && d >= 0) dense = {in: width, out: l.units, p, act: l.spec.split(':')[2]};
    total += p; width = l.units;
  });
  if (d >= 0 && dense) {
    const r = Math.fround(layers[d].rate);
    q.push({text: `The network has ${total} trainable parameters. How many belong to its Dropout(${fmtG(r)}) layer?`,
      options: ['0', String(dense.in), (dense.in * r).toFixed(0), String(dense.p)],
      why: `Dropout learns nothing: its mask is random and its rate fixed. All ${total} parameters are the dense layers' weights and biases.`});
    q.push({text: `The network's Dense(${dense.out}, ${dense.act}) takes the ${dense.in} outputs of Dropout. How many trainable parameters does it have?`,
      options: [String(dense.p), String(dense.in * dense.out), String(dense.in + dense.out), String((dense.in + 1) * (dense.out + 1))],
      why: `A kernel of ${dense.in} × ${dense.out} weights plus ${dense.out} biases: ${dense.p}.`});
  }
  fixed('What does dropout mainly reduce?', 'Overfitting: the gap between training and held-out accuracy',
    'The time each epoch takes', 'The number of parameters to store', 'The need for a validation set',
    'A network that cannot count on any single unit learns features that generalise; `dropnet compare` and `dropnet explain` measure the gap with and without it.');
  return q;
}

/* Option order as cli_quiz_shuffle: question i's Philox block (i, 0x5155, 0, 0) under the seed. */
function shuffleQuiz(q, seed) {
  const k0 = seed >>> 0, k1 = Math.floor(seed / 4294967296) >>> 0;
  return q.map((x, i) => {
    const w = philox([i, 0x5155, 0, 0], k0, k1), order = [0, 1, 2, 3];
    for (let k = 3; k > 0; --k) { const j = w[k] % (k + 1); [order[k], order[j]] = [order[j], order[k]]; }
    return {...x, options: order.map((o) => x.options[o]), answer: order.indexOf(0)};
  });
}

function renderQuiz(questions) {
  const q = shuffleQuiz(questions, settings.seed), box = $('quiz');
  window.pgQuiz = q;   // for the test
  box.innerHTML = `<p class="note">${q.length} questions, the numbers from this run (seed ${settings.seed}). Pick an answer: the explanation follows.</p>` +
    `<p id="quiz-score" aria-live="polite">0 of ${q.length} answered</p>`;
  q.forEach((x, i) => {
    const f = document.createElement('fieldset'); f.className = 'quiz-q'; f.dataset.answer = x.answer;
    const legend = document.createElement('legend'); legend.textContent = `${i + 1}. ${x.text}`; f.append(legend);
    x.options.forEach((o, k) => {
      const label = document.createElement('label'), input = document.createElement('input');
      input.type = 'radio'; input.name = `quiz-${i}`; input.value = k;
      label.append(input, document.createTextNode(`${'ABCD'[k]}) ${o}`)); f.append(label);
    });
    const verdict = document.createElement('p'); verdict.className = 'verdict'; verdict.setAttribute('aria-live', 'polite');
    f.append(verdict);
    f.onchange = (ev) => {
      const k = +ev.target.value, right = k === x.answer;
      f.dataset.chosen = k;
      verdict.className = 'verdict ' + (right ? 'right' : 'wrong');
      verdict.textContent = (right ? 'Right. ' : `Not quite: the answer is ${'ABCD'[x.answer]}. `) + x.why;
      const done = box.querySelectorAll('fieldset[data-chosen]'), good = [...done].filter((g) => +g.dataset.chosen === +g.dataset.answer);
      $('quiz-score').textContent = `${done.length} of ${q.length} answered, ${good.length} right`;
    };
    box.append(f);
  });
}
