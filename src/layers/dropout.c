/* dropout.c — inverted dropout: drop with probability `rate`, scale survivors by 1/(1−rate).
 *
 * The mask of element e (row-major index within the batch) at training step s is decided by the
 * Philox word (seed; counter = e/4, stream(DROPOUT, layer), s), word e%4: the same for any thread
 * count or batch partition. It is kept as one bit per element for the backward pass. */
#include "layers/layer.h"

#include "core/rng.h"

#include <string.h>

static void make_mask(dn_layer *layer, const dn_rng_stream *stream, uint64_t step, size_t n) {
    memset(layer->keep_bits, 0, (n + 31) / 32 * sizeof(uint32_t));
    for (size_t block = 0; block * 4 < n; ++block) {
        uint32_t words[4];
        dn_rng_block(stream, step, block, words);
        for (size_t k = 0; k < 4 && block * 4 + k < n; ++k) {
            size_t e = block * 4 + k;
            uint32_t kept = words[k] >= layer->drop_threshold;
            layer->keep_bits[e >> 5] |= kept << (e & 31u);
        }
    }
}

void dn_dropout_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index, const float *x,
                        size_t rows, dn_mode mode, uint64_t step) {
    size_t n = rows * layer->out;
    if (mode != DN_MODE_TRAINING) {
        memcpy(layer->y, x, n * sizeof(float));
        return;
    }
    dn_rng_stream stream = dn_rng_stream_make(seed, DN_RNG_DROPOUT, layer_index);
    make_mask(layer, &stream, step, n);
    float scale = layer->keep_scale;
    for (size_t e = 0; e < n; ++e) layer->y[e] = dn_mask_kept(layer->keep_bits, e) ? x[e] * scale : 0.0f;
}

void dn_dropout_backward(dn_layer *layer, const float *grad, size_t rows) {
    if (layer->d_in == NULL) return;
    size_t n = rows * layer->out;
    float scale = layer->keep_scale;
    for (size_t e = 0; e < n; ++e)
        layer->d_in[e] = dn_mask_kept(layer->keep_bits, e) ? grad[e] * scale : 0.0f;
}
