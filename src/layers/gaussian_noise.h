/* gaussian_noise.h — Gaussian noise (gaussian_noise.c; internal). */
#ifndef DN_LAYERS_GAUSSIAN_NOISE_H
#define DN_LAYERS_GAUSSIAN_NOISE_H

#include "dropnet.h"
#include "layers/layer.h"

#include <stddef.h>
#include <stdint.h>

/* Gaussian noise (gaussian_noise.c): training y = x + σ·n, n as above; inference y = x.
 * Backward: d_in = grad. */
void dni_gaussian_noise_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index,
                                const float *x, size_t rows, dn_mode mode, uint64_t step,
                                const dn_exec *exec);
void dni_gaussian_noise_backward(dn_layer *layer, const float *grad, size_t rows,
                                 const dn_exec *exec);

#endif
