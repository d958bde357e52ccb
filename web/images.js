/* images.js — examples drawn as images, for a table whose rows are square pictures (784 values
 * = 28 × 28: Fashion-MNIST embedded by `dropnet play --data fashion-mnist:train --max-rows 2000`).
 * A gallery of the first training images (click one to follow it in the train/inference
 * toggle), and the followed example's picture in training, its dropped pixels in red, or at
 * inference, untouched. Values are drawn as brightness, 0 black and 1 white (clipped: a survivor
 * scaled by 1/(1−rate) may pass 1). */
'use strict';
var GALLERY = 40, IMAGE_SCALE = 4;
const FASHION_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/* The side of the square picture a row is, or 0 when the rows are not pictures. */
function imageSide() {
  if (!data || !data.x || data.features < 64) return 0;
  const s = Math.round(Math.sqrt(data.features));
  return s * s === data.features ? s : 0;
}
/* Class names: the table's own, or Fashion-MNIST's when its ids are bare digits. */
function className(c) {
  const names = data && data.names;
  if (EMBEDDED && /^fashion-mnist/.test(EMBEDDED.name) && names && names.every((n, i) => n === String(i)))
    return FASHION_NAMES[c] || String(c);
  return names && names[c] !== undefined ? names[c] : String(c);
}
/* One picture into `canvas`; `dropped` (may be null) marks pixels in red. */
function drawImage(canvas, values, side, scale, dropped) {
  canvas.width = canvas.height = side * scale;
  const g = canvas.getContext('2d'), img = g.createImageData(side * scale, side * scale);
  for (let y = 0; y < side * scale; ++y) for (let x = 0; x < side * scale; ++x) {
    const i = Math.floor(y / scale) * side + Math.floor(x / scale), o = 4 * (y * side * scale + x);
    const v = Math.round(255 * Math.max(0, Math.min(1, values[i])));
    if (dropped && dropped[i]) { img.data[o] = 220; img.data[o + 1] = 30; img.data[o + 2] = 30; }
    else img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
    img.data[o + 3] = 255;
  }
  g.putImageData(img, 0, 0);
}
function resetImages() {
  const side = imageSide(), box = $('gallery');
  $('gallery-section').hidden = !side; $('ex-image-box').hidden = !side;
  box.innerHTML = '';
  if (!side) return;
  const trainRows = Math.floor(data.rows * settings.train);
  for (let r = 0; r < Math.min(GALLERY, trainRows); ++r) {
    const fig = document.createElement('figure'), c = document.createElement('canvas'), cap = document.createElement('figcaption');
    drawImage(c, data.x.subarray(r * data.features, (r + 1) * data.features), side, 2, null);
    c.tabIndex = 0; c.setAttribute('role', 'button');
    c.setAttribute('aria-label', `example #${r}: ${className(data.y[r])}; follow it`);
    const follow = () => { $('ex-row').value = r; requestExample(); };
    c.onclick = follow; c.onkeydown = (e) => { if (e.key === 'Enter') follow(); };
    cap.textContent = `#${r} ${className(data.y[r])}`;
    fig.append(c, cap); box.append(fig);
  }
}
/* The toggle's example as a picture: the input in the chosen mode, dropped pixels red. */
function drawExampleImage(m, mode) {
  const side = imageSide();
  if (!side) return;
  const d = main.layers.findIndex(isBernoulli), inputDrop = d === 0 && mode === 'training';
  const values = inputDrop ? m.training[1] : m.inference[0];
  const dropped = inputDrop ? m.masks[0].map((k) => 1 - k) : null;
  drawImage($('ex-image'), values, side, IMAGE_SCALE, dropped);
  const n = dropped ? dropped.reduce((a, b) => a + b, 0) : 0;
  $('ex-image-note').textContent = `example #${m.row}, ${className(m.label)}: ` + (inputDrop
    ? `${n} of ${data.features} pixels dropped (red), the rest ×${+(1 / (1 - main.layers[0].rate)).toPrecision(4)}`
    : d === 0 ? 'at inference every pixel passes unchanged' : 'the input (no input dropout)');
  $('ex-image').dataset.dropped = n;
}
