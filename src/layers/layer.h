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
    dn_gemm_kernel kernel; /* the products' kernel request (dni_gemm_precision_kernel) */
    const dn_gemm_workspace *gemm_ws;
    size_t row_offset;
    const struct dn_exec_update *update; /* backward only: the fused update, or NULL */
} dn_exec;

/* A backward pass that also applies the optimizer step (network.h, dni_model_backprop_update):
 * each dense layer updates its kernel as its weight-gradient product finishes the tiles, then its
 * bias. The slabs are the model's, parallel to the parameters. */
typedef struct dn_exec_update {
    const dn_optimizer_config *cfg;
    float *params, *m, *v;
    float adam_alpha; /* for this step (optimizer.h) */
} dn_exec_update;

/* A per-row stream for a layer `width` wide: its element base set from exec->row_offset. */
static inline dn_rng_stream dni_exec_row_stream(dn_rng_stream s, const dn_exec *exec,
                                                size_t width) {
    s.element_base = (uint64_t)exec->row_offset * width;
    return s;
}

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

/* Each layer kind's functions are declared in the header named after its file
 * (scripts/check_layout.sh); these includes keep code that includes only layer.h for them (tests,
 * other branches) compiling. */
#include "layers/alpha_dropout.h"
#include "layers/dense.h"
#include "layers/dropconnect.h"
#include "layers/dropout.h"
#include "layers/gaussian_dropout.h"
#include "layers/gaussian_noise.h"

#endif
