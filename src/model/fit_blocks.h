/* fit_blocks.h — fit's reproducible step (internal): a batch as fixed blocks of rows whose
 * gradients are summed exactly, here or across the workers of a dn_reducer. */
#ifndef DN_MODEL_FIT_BLOCKS_H
#define DN_MODEL_FIT_BLOCKS_H

#include "model/model.h"
#include "model/model_buffers.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct dni_blocks {
    const dn_reducer *reducer; /* NULL: this process alone */
    size_t block_rows, rank, workers;
    size_t max_local;          /* blocks one worker runs in a step, at most */
    float *grads;              /* [max_local × param_count]: each local block's gradient */
    double *loss;              /* [max_local]: each local block's loss sum */
    int64_t *sums;             /* [param_count + 2]: gradient, loss and correct in fixed point */
    int scale_guess;           /* the gradient's scale exponent of the last step, when */
    int has_guess;             /* ... there was one (fit_blocks.c: converted while the max is found) */
    uint64_t guesses, misses;  /* steps converted at the guessed scale, and redone (a counter) */
    size_t bytes;              /* what dni_blocks_init allocated (grads, loss and sums) */
} dni_blocks;

/* DN_OK when `workers` workers can share batches of `batch_rows` rows in blocks of `block_rows`
 * (a multiple of 4, > 0; no more workers than blocks); else DN_ERR_ARGUMENT saying why. */
dn_status dni_blocks_check(size_t block_rows, size_t batch_rows, size_t workers, dn_error *err);

/* Checks the reproducible-mode settings of `c` (a reducer's rank, workers and functions, then
 * dni_blocks_check) and allocates the step's buffers (dni_blocks_plan_buffers). On failure *b
 * holds nothing to free but what dni_blocks_free frees. */
dn_status dni_blocks_init(dni_blocks *b, const dn_model *m, const dn_fit_config *c,
                          size_t batch_rows, dn_error *err);

/* The most blocks one of `workers` workers runs in a step of `batch_rows` rows (the busiest:
 * worker r runs blocks [K·r/W, K·(r+1)/W) of K). */
size_t dni_blocks_max_local(size_t batch_rows, size_t block_rows, size_t workers);

/* Every buffer of the step for `max_local` blocks of `param_count` parameters, one
 * take(ctx, count, size) each: the one list dni_blocks_init allocates (assign = 1 stores each
 * result in *b) and dni_blocks_bytes adds up (assign = 0; b may be NULL). Returns 0 when a take
 * failed or a size overflows. */
int dni_blocks_plan_buffers(dni_blocks *b, size_t max_local, size_t param_count, int assign,
                            dn_buffer_fn take, void *ctx);

/* What the reproducible step holds on the busiest of `workers` workers for a model of
 * `param_count` parameters (compiled or not): dni_blocks_init's buffers, and the packed weights
 * (dni_inference_plan_bytes) when it runs more than one block a step. The arguments must pass
 * dni_blocks_check. SIZE_MAX when that overflows. */
size_t dni_blocks_bytes(const dn_model *m, size_t param_count, size_t block_rows,
                        size_t batch_rows, size_t workers);

void dni_blocks_free(dni_blocks *b);

/* The rows the model's buffers must hold in the reproducible mode: one block. */
size_t dni_blocks_capacity(const dn_fit_config *c, size_t batch_rows);

/*
 * The gradient of one batch (rows index[0..rows) of `d`, the same on every worker) into
 * m->grads, summed over all its blocks in int64 fixed point; adds the batch's loss sum and
 * correct count over all workers to *loss_sum and *correct. *finite is 0 (and m->grads
 * undefined) when any block's loss or gradient was NaN or infinite on any worker. Fails only
 * with what the reducer returns.
 */
dn_status dni_blocks_gradient(dn_model *m, dni_blocks *b, const dn_dataset *d,
                              const size_t *index, size_t rows, double *loss_sum, double *correct,
                              int *finite, dn_error *err);

/* The power-of-two exponent S for `count` values each at most `max` in magnitude: every
 * |round(v·2^S)| ≤ 2^50 / count, so their sum stays within 2^50 (docs/SCALING.md). */
int dni_blocks_scale(double max, size_t count);

/* round(x) for |x| ≤ 2^51, in the current rounding mode (to nearest): adding 1.5·2^52 leaves
 * the integer in the low mantissa bits: plain double arithmetic, which the compiler may
 * vectorise on any x86-64 (a double → int64 conversion instruction needs AVX-512DQ). */
static inline int64_t dni_round_small(double x) {
    double y = x + 6755399441055744.0;
    int64_t bits;
    memcpy(&bits, &y, sizeof bits);
    return bits - INT64_C(0x4338000000000000);
}

/* The same in unsigned arithmetic, defined for any x (a guessed scale may overshoot the bound,
 * a NaN may come): equal to dni_round_small modulo 2^64 where that is defined. */
static inline uint64_t dni_round_small_wrapping(double x) {
    double y = x + 6755399441055744.0;
    uint64_t bits;
    memcpy(&bits, &y, sizeof bits);
    return bits - UINT64_C(0x4338000000000000);
}

/* The largest |g[i]| of a block's gradient [n], or INFINITY when one is NaN or infinite;
 * denormals count as 0 (the flush-to-zero mode of core/fpu.h). */
double dni_blocks_max(const float *g, size_t n, int threads);

#endif
