/* activation.h — element-wise (and row-wise softmax) activations and their derivatives. */
#ifndef DN_KERNELS_ACTIVATION_H
#define DN_KERNELS_ACTIVATION_H

#include "dropnet.h"

#include <stddef.h>

/* y [rows×cols] = act(z [rows×cols]); y may alias z except for softmax, which reads z first
 * row by row and so may alias too. */
void dni_activation_forward(dn_activation act, const float *z, float *y, size_t rows, size_t cols,
                            int threads);

/* grad [rows×cols] holds dL/dy on entry and dL/dz on return, using z and y from the forward
 * pass (relu uses z, the others y: σ' = y(1−y), tanh' = 1−y², softmax: y⊙(g − ⟨g, y⟩); selu,
 * elu, gelu and leaky_relu branch on z: selu' = λ or y + λα, elu' = 1 or y + 1,
 * gelu' = Φ(z) + z·φ(z), leaky_relu' = 1 or 0.3). */
void dni_activation_backward(dn_activation act, const float *z, const float *y, float *grad,
                             size_t rows, size_t cols, int threads);

/* y [n] = act(z [n]) for an element-wise activation (not softmax), on the calling thread, in
 * its current floating-point mode: the GEMM's output pass (gemm_epilogue.c) applies it to a tile
 * while the tile is in cache. Same arithmetic per element as dni_activation_forward. */
void dni_activation_forward_span(dn_activation act, const float *z, float *y, size_t n);

/* Both split rows across up to `threads` threads (≤ 0: all cores) for large batches; each
 * element's arithmetic is the same whatever the split. */

#endif
