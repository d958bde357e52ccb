/* layer.h — one layer of a sequential model and its buffers (internal).
 *
 * A layer reads only its input (the previous layer's output, or the batch) and owns its output,
 * so dropout never overwrites what the layer below needs for its backward pass. */
#ifndef DN_LAYERS_LAYER_H
#define DN_LAYERS_LAYER_H

#include "dropnet.h"
#include "kernels/gemm.h"

#include <stddef.h>
#include <stdint.h>

typedef struct dn_layer {
    dn_layer_kind kind;
    char name[32];
    size_t in, out;

    /* dense */
    dn_activation activation;
    size_t param_offset; /* kernel [in×out] at params + param_offset, bias [out] after it */
    size_t param_count;

    /* dropout */
    float rate;
    uint32_t drop_threshold; /* dropped ⇔ philox word < drop_threshold */
    float keep_scale;        /* 1 / (1 − rate) */

    /* Buffers for up to `capacity` rows, owned by the model (one allocation each). */
    float *pre;          /* dense: z = x·W + b  [capacity×out] */
    float *y;            /* output             [capacity×out] */
    uint32_t *keep_bits; /* dropout: 1 bit per output element, 1 = kept */
    float *d_in;         /* dL/dx               [capacity×in], NULL when nobody needs it */
} dn_layer;

/* How a pass runs: the OpenMP team size asked for (≤ 0: all cores; no result depends on it) and
 * the GEMM packing workspace the model owns. */
typedef struct dn_exec {
    int threads;
    const dn_gemm_workspace *gemm_ws;
} dn_exec;

/* Dense forward: pre = x·W + b, y = act(pre).   x [rows×in], W [in×out], b [out]. */
void dn_dense_forward(dn_layer *layer, const float *params, const float *x, size_t rows,
                      const dn_exec *exec);

/* Dense backward. grad [rows×out] holds dL/dy (or dL/dz when `grad_is_pre`, for a loss fused
 * with the activation) and is overwritten with dL/dz. Writes dW = xᵀ·dz, db = Σ_rows dz into
 * `grads` (overwriting) and, when layer->d_in is set, d_in = dz·Wᵀ. */
void dn_dense_backward(dn_layer *layer, const float *params, float *grads, const float *x,
                       float *grad, int grad_is_pre, size_t rows, const dn_exec *exec);

/* Dropout forward. x, y [rows×out]. Training: mask from (stream, step), y = keep ? x·scale : 0.
 * Inference: y = x. */
void dn_dropout_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index, const float *x,
                        size_t rows, dn_mode mode, uint64_t step, const dn_exec *exec);

/* Dropout backward: d_in = keep ? grad·scale : 0 (the forward mask, kept as bits). */
void dn_dropout_backward(dn_layer *layer, const float *grad, size_t rows, const dn_exec *exec);

/* Whether element e of the last training mask was kept. */
static inline int dn_mask_kept(const uint32_t *bits, size_t e) {
    return (int)((bits[e >> 5] >> (e & 31u)) & 1u);
}

#endif
