/* layer.h — one layer of a sequential model and its buffers (internal).
 *
 * A layer reads only its input (the previous layer's output, or the batch) and owns its output,
 * so dropout never overwrites what the layer below needs for its backward pass. */
#ifndef DN_LAYERS_LAYER_H
#define DN_LAYERS_LAYER_H

#include "dropnet.h"
#include "core/rng.h"
#include "kernels/gemm.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

    /* dense: the resolved initialiser, and DropConnect (dropconnect.c) when connect_rate > 0 */
    dn_initializer init;
    float connect_rate;
    uint32_t connect_threshold; /* a kernel weight is dropped ⇔ philox word < threshold */
    float connect_scale;        /* 1 / (1 − connect_rate) */
    int connect_active;         /* the last forward used the masked kernel (training mode) */

    /* alpha dropout (rate and drop_threshold as dropout): y = keep ? a·x + b : a·α' + b */
    float alpha_a, alpha_b;
    /* gaussian dropout: σ = √(rate/(1 − rate)); gaussian noise: σ = stddev */
    float stddev;

    /* Buffers for up to `capacity` rows, owned by the model (one allocation each). */
    float *pre;          /* dense: z = x·W + b  [capacity×out] */
    float *y;            /* output             [capacity×out] */
    uint32_t *keep_bits; /* dropout: 1 bit per output element, 1 = kept */
    float *d_in;         /* dL/dx               [capacity×in], NULL when nobody needs it */
    float *noise;        /* gaussian dropout: the multipliers 1 + σ·n [capacity×out] */
    float *connect_params;  /* DropConnect: masked, scaled kernel [in×out] then bias [out] */
    uint32_t *connect_bits; /* DropConnect: 1 bit per kernel element, 1 = kept */
} dn_layer;

/* How a pass runs: the OpenMP team size asked for (≤ 0: all cores; no result depends on it),
 * the GEMM packing workspace the model owns, and the batch row the pass's first row is (0 but in
 * fit's reproducible mode, which runs a batch as blocks of rows): per-row draws (dropout masks,
 * noise) are keyed by the row in the whole batch, so a block draws what the batch would. */
typedef struct dn_exec {
    int threads;
    const dn_gemm_workspace *gemm_ws;
    size_t row_offset;
} dn_exec;

/* A per-row stream for a layer `width` wide: its element base set from exec->row_offset. */
static inline dn_rng_stream dni_exec_row_stream(dn_rng_stream s, const dn_exec *exec,
                                                size_t width) {
    s.element_base = (uint64_t)exec->row_offset * width;
    return s;
}

/* Dense forward: pre = x·W + b, y = act(pre).   x [rows×in], W [in×out], b [out]. */
void dni_dense_forward(dn_layer *layer, const float *params, const float *x, size_t rows,
                       const dn_exec *exec);

/* The Philox stream of dropout layer `layer_index`'s masks (DN_RNG_DROPOUT, keyed by the layer's
 * index): dropout and alpha dropout draw from it, and so does a dense layer fused with the
 * dropout after it. */
dn_rng_stream dni_dropout_stream(uint64_t seed, uint32_t layer_index);

/* Whether a dense layer and the dropout layer after it can run as one fused pass in training:
 * a plain dense layer (no DropConnect) with an element-wise activation and a multiple of 64
 * units, and a dropout rate above 0 (rate 0 stays an exact copy). */
int dni_dense_dropout_fusable(const dn_layer *dense, const dn_layer *dropout);

/* Both layers in one pass: pre = x·W + b, y = act(pre), then the dropout layer's y and mask bits
 * from `stream` at `step`, all in the product's output pass; bitwise the same as running
 * dni_dense_forward then dni_dropout_forward. */
void dni_dense_dropout_forward(dn_layer *dense, dn_layer *dropout, const float *params,
                               const float *x, size_t rows, const dn_rng_stream *stream,
                               uint64_t step, const dn_exec *exec);

/* Dense backward. grad [rows×out] holds dL/dy (or dL/dz when `grad_is_pre`, for a loss fused
 * with the activation) and is overwritten with dL/dz. Writes dW = xᵀ·dz, db = Σ_rows dz into
 * `grads` (overwriting) and, when layer->d_in is set, d_in = dz·Wᵀ. */
void dni_dense_backward(dn_layer *layer, const float *params, float *grads, const float *x,
                        float *grad, int grad_is_pre, size_t rows, const dn_exec *exec);

/* Dropout forward. x, y [rows×out]. Training: mask from (stream, step), y = keep ? x·scale : 0.
 * Inference: y = x. */
void dni_dropout_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index, const float *x,
                         size_t rows, dn_mode mode, uint64_t step, const dn_exec *exec);

/* Dropout backward: d_in = keep ? grad·scale : 0 (the forward mask, kept as bits). */
void dni_dropout_backward(dn_layer *layer, const float *grad, size_t rows, const dn_exec *exec);

/* Alpha dropout (alpha_dropout.c). x, y [rows×out]. Training: the dropout mask of
 * (DN_RNG_DROPOUT, layer, step), y = keep ? a·x + b : a·α' + b. Inference: y = x. */
void dni_alpha_dropout_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index,
                               const float *x, size_t rows, dn_mode mode, uint64_t step,
                               const dn_exec *exec);
/* d_in = keep ? a·grad : 0. */
void dni_alpha_dropout_backward(dn_layer *layer, const float *grad, size_t rows,
                                const dn_exec *exec);

/* Gaussian dropout (gaussian_dropout.c): training y = x·(1 + σ·n), n ~ N(0, 1) from
 * (DN_RNG_NOISE, layer, step, element); the multipliers are kept in layer->noise. Inference:
 * y = x. Backward: d_in = grad·(1 + σ·n). */
void dni_gaussian_dropout_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index,
                                  const float *x, size_t rows, dn_mode mode, uint64_t step,
                                  const dn_exec *exec);
void dni_gaussian_dropout_backward(dn_layer *layer, const float *grad, size_t rows,
                                   const dn_exec *exec);

/* Gaussian noise (gaussian_noise.c): training y = x + σ·n, n as above; inference y = x.
 * Backward: d_in = grad. */
void dni_gaussian_noise_forward(dn_layer *layer, uint64_t seed, uint32_t layer_index,
                                const float *x, size_t rows, dn_mode mode, uint64_t step,
                                const dn_exec *exec);
void dni_gaussian_noise_backward(dn_layer *layer, const float *grad, size_t rows,
                                 const dn_exec *exec);

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

/* Every stochastic layer is the identity at inference: copies x [n] to the layer's output and
 * returns 1 then, returns 0 in training mode. */
static inline int dni_inference_identity(dn_layer *layer, const float *x, size_t n, dn_mode mode) {
    if (mode == DN_MODE_TRAINING) return 0;
    memcpy(layer->y, x, n * sizeof(float));
    return 1;
}

/* Whether element e of the last training mask was kept. */
static inline int dni_mask_kept(const uint32_t *bits, size_t e) {
    return (int)((bits[e >> 5] >> (e & 31u)) & 1u);
}

#endif
