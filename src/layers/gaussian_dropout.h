/* gaussian_dropout.h — Gaussian dropout (gaussian_dropout.c; internal). */
#ifndef DN_LAYERS_GAUSSIAN_DROPOUT_H
#define DN_LAYERS_GAUSSIAN_DROPOUT_H

#include "dropnet.h"
#include "layers/layer.h"

#include <stddef.h>
#include <stdint.h>

/* Gaussian dropout (gaussian_dropout.c): training y = x·(1 + σ·n), n ~ N(0, 1) from
 * (DN_RNG_NOISE, layer, step, element); the multipliers are kept in layer->noise. Inference:
 * y = x. Backward: d_in = grad·(1 + σ·n). */
void dni_gaussian_dropout_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index,
                                  const float *x, size_t rows, dn_mode mode, uint64_t step,
                                  const dn_exec *exec);
void dni_gaussian_dropout_backward(dn_layer *layer, const float *grad, size_t rows,
                                   const dn_exec *exec);

#endif
