// ort_run.js — runs an ONNX file in ONNX Runtime (npm onnxruntime-node, CPU) for the test suite.
//   node ort_run.js MODEL.onnx INPUT.csv [RUNS] [NODE_MODULES]
// INPUT.csv: one example per line, numbers only. Prints "runs R differing D" (D = runs whose output
// differs from the first run's: MC dropout) then the mean output over the runs, one row per line,
// each number with 9 significant digits (enough to tell float32 values apart).
'use strict';
const fs = require('fs');
const path = require('path');
const [model, input, runsArg, modulesArg] = process.argv.slice(2);
const ort = require(path.resolve(modulesArg || 'node_modules', 'onnxruntime-node'));

async function main() {
  const rows = fs.readFileSync(input, 'utf8').split('\n').filter((l) => l.trim() !== '')
    .map((l) => l.split(',').map(Number));
  const cols = rows[0].length;
  const x = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, cols]);
  const session = await ort.InferenceSession.create(model);
  const runs = Number(runsArg || 1);
  let sum = null, first = null, differing = 0;
  for (let r = 0; r < runs; ++r) {
    const out = (await session.run({ input: x })).output;
    if (sum === null) {
      sum = new Float64Array(out.data.length);
      first = Float32Array.from(out.data);
    } else if (out.data.some((v, i) => v !== first[i])) {
      ++differing;
    }
    out.data.forEach((v, i) => { sum[i] += v; });
    if (r === runs - 1) {
      const width = out.dims[1];
      console.log(`runs ${runs} differing ${differing}`);
      for (let i = 0; i < rows.length; ++i)
        console.log(Array.from(sum.slice(i * width, (i + 1) * width), (v) => (v / runs).toPrecision(9)).join(','));
    }
  }
}
main().catch((e) => { console.error(`ort_run.js: ${e.message}`); process.exit(1); });
