/* dropconnect.h — a dense layer with DropConnect (dropconnect.c; internal). */
#ifndef DN_LAYERS_DROPCONNECT_H
#define DN_LAYERS_DROPCONNECT_H

#include "dropnet.h"
#include "layers/layer.h"

#include <stddef.h>
#include <stdint.h>

/* A dense layer with DropConnect (dropconnect.c). Training: one kernel mask per step from
 * (DN_RNG_DROPCONNECT, layer, step, kernel index), W' = mask⊙W/(1 − rate), y = act(x·W' + b).
 * Inference: the plain dense layer (W' = W, the mean of the masked kernels). */
void dni_dropconnect_forward(dn_layer *layer, const float *params, uint64_t seed,
                             uint32_t layer_index, const float *x, size_t rows, dn_mode mode,
                             uint64_t step, const dn_exec *exec);
/* The dense backward through W' (after a training-mode forward): dW = (xᵀ·dz)⊙mask/(1 − rate),
 * db = Σ dz, d_in = dz·W'ᵀ. */
void dni_dropconnect_backward(dn_layer *layer, const float *params, float *grads, const float *x,
                              float *grad, int grad_is_pre, size_t rows, const dn_exec *exec);

#endif
