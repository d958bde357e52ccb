/* table.js — the table `dropnet play --data` embeds (cli/cmd_play.c), decoded: its features come
 * bit for bit as base64 bytes, either a palette of at most 256 float32 values with one byte per
 * value (images: pixels k/255) or every value as float32, little-endian; with --standardize,
 * the mean and std applied here, (x − mean) / std rounded to float32 at each operation as the
 * CLI's float arithmetic does (a double result rounded to float32 is the float32 result for
 * − and ÷), so the engine gets the very floats the CLI would. Returns null without a table. */
'use strict';
function bytesOf(b64) {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; ++i) out[i] = s.charCodeAt(i);
  return out;
}
function floatsOf(b64) {
  const b = bytesOf(b64), view = new DataView(b.buffer), out = new Float32Array(b.length >> 2);
  for (let i = 0; i < out.length; ++i) out[i] = view.getFloat32(4 * i, true);
  return out;
}
function decodeTable(t) {
  if (!t) return null;
  let x;
  if (t.x.palette !== undefined) {
    const palette = floatsOf(t.x.palette), index = bytesOf(t.x.index);
    x = new Float32Array(index.length);
    for (let i = 0; i < index.length; ++i) x[i] = palette[index[i]];
  } else {
    x = floatsOf(t.x.float32);
  }
  if (t.standardize) {
    const mean = floatsOf(t.standardize.mean), std = floatsOf(t.standardize.std), f = t.features;
    for (let i = 0; i < x.length; ++i) x[i] = Math.fround(x[i] - mean[i % f]) / std[i % f];
  }
  return {...t, x, y: Int32Array.from(t.y)};
}
