/* dropout.h — the dropout layer and its mask stream (dropout.c; internal). */
#ifndef DN_LAYERS_DROPOUT_H
#define DN_LAYERS_DROPOUT_H

#include "dropnet.h"
#include "layers/layer.h"

#include <stddef.h>
#include <stdint.h>

/* The Philox stream of dropout layer `layer_index`'s masks (DN_RNG_DROPOUT, keyed by the layer's
 * index): dropout and alpha dropout draw from it, and so does a dense layer fused with the
 * dropout after it. */
dn_rng_stream dni_dropout_stream(uint64_t seed, uint32_t layer_index);

/* Dropout forward. x, y [rows×out]. Training: mask from (stream, step), y = keep ? x·scale : 0.
 * Inference: y = x. */
void dni_dropout_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index, const float *x,
                         size_t rows, dn_mode mode, uint64_t step, const dn_exec *exec);

/* Dropout backward: d_in = keep ? grad·scale : 0 (the forward mask, kept as bits). */
void dni_dropout_backward(dn_layer *layer, const float *grad, size_t rows, const dn_exec *exec);

#endif
