/* dropout.c — inverted dropout: drop with probability `rate`, scale survivors by 1/(1−rate).
 *
 * The mask of element e (row-major index within the batch) at training step s is decided by the
 * Philox word (seed; counter = e/4, stream(DROPOUT, layer), s), word e%4: the same for any thread
 * count or batch partition. It is kept as one bit per element for the backward pass. */
#include "layers/layer.h"

#include "core/rng.h"
#include "kernels/dropout_kernel.h"

#include <string.h>

dn_rng_stream dni_dropout_stream(uint64_t seed, uint32_t layer_index) {
    return dni_rng_stream_make(seed, DN_RNG_DROPOUT, layer_index);
}

void dni_dropout_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index, const float *x,
                         size_t rows, dn_mode mode, uint64_t step, const dn_exec *exec) {
    size_t n = rows * layer->out;
    if (dni_inference_identity(layer, x, n, mode)) return;
    if (layer->drop_threshold == 0) { /* rate 0: a copy, so even denormals pass unflushed */
        memcpy(layer->y, x, n * sizeof(float));
        memset(layer->keep_bits, 0xff, (n + 31) / 32 * sizeof(uint32_t));
        return;
    }
    dn_rng_stream stream = dni_exec_row_stream(dni_dropout_stream(seed, layer_index), exec,
                                               layer->out);
    dni_dropout_mask_apply(&stream, step, layer->drop_threshold, layer->keep_scale, x, layer->y,
                           layer->keep_bits, n, exec->threads);
}

void dni_dropout_backward(dn_layer *layer, const float *grad, size_t rows, const dn_exec *exec) {
    if (layer->d_in == NULL) return;
    dni_dropout_mask_backward(layer->keep_bits, layer->keep_scale, grad, layer->d_in,
                              rows * layer->out, exec->threads);
}
