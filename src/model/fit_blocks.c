/* fit_blocks.c — fit's reproducible step: a batch as fixed blocks of rows, summed exactly.
 *
 * A float sum depends on its order, and the order depends on who computed what: with W workers
 * each holding part of a batch, a plain all-reduce of float gradients gives different bits for
 * different W (and, with some MPI reductions, from run to run). Here the batch is cut into blocks
 * of block_rows rows that do not depend on W; each block runs its own forward and backward pass
 * (its dropout masks keyed by its rows' places in the whole batch, model->row_offset), so a
 * block's gradient has the same bits whichever worker computes it. Blocks are then converted to
 * int64 at a scale every worker agrees on, and integer addition is exact in any order. The proof
 * that no sum overflows is in docs/SCALING.md. */
#include "model/fit_blocks.h"
#include "model/inference_plan.h"
#include "model/model_buffers.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/fpu.h"
#include "core/threads.h"
#include "data/dataset.h"

#include <math.h>
#include <string.h>

/* A pass over the slab is worth a team from this many elements. */
enum { PARALLEL_MIN_ELEMENTS = 1 << 15 };

size_t dni_blocks_capacity(const dn_fit_config *c, size_t batch_rows) {
    size_t br = c->block_rows ? c->block_rows : DN_BLOCK_ROWS_DEFAULT;
    return br < batch_rows ? br : batch_rows;
}

static size_t blocks_of(size_t rows, size_t block_rows) {
    return (rows + block_rows - 1) / block_rows;
}

/* Worker r's blocks of K: [K·r/W, K·(r+1)/W). */
static size_t first_block(size_t blocks, size_t rank, size_t workers) {
    return blocks * rank / workers;
}

dn_status dni_blocks_check(size_t block_rows, size_t batch_rows, size_t workers, dn_error *err) {
    if (block_rows == 0 || block_rows % 4 != 0)
        return dni_fail(err, DN_ERR_ARGUMENT, "block rows must be a multiple of 4 (whole Philox "
                        "blocks of dropout masks), got %zu", block_rows);
    size_t blocks = blocks_of(batch_rows, block_rows);
    if (workers > blocks)
        return dni_fail(err, DN_ERR_ARGUMENT, "%zu workers but a batch of %zu rows has only %zu "
                        "blocks to share: use at most %zu workers, or a larger batch or smaller "
                        "blocks", workers, batch_rows, blocks, blocks);
    return DN_OK;
}

static dn_status check_reducer(const dn_reducer *r, dn_error *err) {
    if (r->sum_int64 == NULL || r->max_double == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "the reducer must have sum_int64 and max_double");
    if (r->workers == 0 || r->rank >= r->workers)
        return dni_fail(err, DN_ERR_ARGUMENT, "reducer rank %zu of %zu workers is out of range",
                        r->rank, r->workers);
    return DN_OK;
}

size_t dni_blocks_max_local(size_t batch_rows, size_t block_rows, size_t workers) {
    size_t blocks = blocks_of(batch_rows, block_rows);
    return (blocks + workers - 1) / workers;
}

int dni_blocks_plan_buffers(dni_blocks *b, size_t max_local, size_t param_count, int assign,
                            dn_buffer_fn take, void *ctx) {
    size_t grads;
    if (!dni_mul_size(max_local, param_count, &grads) || param_count > SIZE_MAX - 2) return 0;
    void *g = take(ctx, grads, sizeof(float));
    void *loss = take(ctx, max_local, sizeof(double));
    void *sums = take(ctx, param_count + 2, sizeof(int64_t));
    if (assign) {
        b->grads = g;
        b->loss = loss;
        b->sums = sums;
    }
    return g != NULL && loss != NULL && sums != NULL;
}

/* A dn_buffer_fn that allocates and adds the bytes to the size_t at ctx (dni_blocks.bytes). */
static void *allocate_counted(void *ctx, size_t count, size_t size) {
    void *p = dni_alloc_zeroed(count, size);
    if (p != NULL) *(size_t *)ctx += count * size; /* dni_alloc_zeroed checked the product */
    return p;
}

dn_status dni_blocks_init(dni_blocks *b, const dn_model *m, const dn_fit_config *c,
                          size_t batch_rows, dn_error *err) {
    memset(b, 0, sizeof *b);
    b->block_rows = c->block_rows ? c->block_rows : DN_BLOCK_ROWS_DEFAULT;
    b->reducer = c->reducer;
    b->workers = 1;
    dn_status st;
    if (b->reducer != NULL) {
        if ((st = check_reducer(b->reducer, err)) != DN_OK) return st;
        b->rank = b->reducer->rank;
        b->workers = b->reducer->workers;
    }
    if ((st = dni_blocks_check(b->block_rows, batch_rows, b->workers, err)) != DN_OK) return st;
    b->max_local = dni_blocks_max_local(batch_rows, b->block_rows, b->workers);
    if (!dni_blocks_plan_buffers(b, b->max_local, m->param_count, 1, allocate_counted, &b->bytes))
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu gradient blocks of %zu "
                        "parameters", b->max_local, m->param_count);
    return DN_OK;
}

size_t dni_blocks_bytes(const dn_model *m, size_t param_count, size_t block_rows,
                        size_t batch_rows, size_t workers) {
    size_t bytes = 0, max_local = dni_blocks_max_local(batch_rows, block_rows, workers);
    if (!dni_blocks_plan_buffers(NULL, max_local, param_count, 0, dni_buffer_count, &bytes))
        return SIZE_MAX;
    /* A worker with more than one block a step packs the weights (dni_blocks_gradient). */
    size_t plan = max_local > 1 ? dni_inference_plan_bytes(m) : 0;
    return bytes > SIZE_MAX - plan ? SIZE_MAX : bytes + plan;
}

void dni_blocks_free(dni_blocks *b) {
    dni_free(b->grads);
    dni_free(b->loss);
    dni_free(b->sums);
    memset(b, 0, sizeof *b);
}

int dni_blocks_scale(double max, size_t count) {
    if (!(max > 0.0)) return 0;
    int e, c = 0;
    frexp(max, &e); /* max < 2^e */
    while (((size_t)1 << c) < count) c++;
    return 50 - c - e; /* |v·2^S| < 2^(50 − c) ≤ 2^50 / count */
}

enum { TILE = 4096 }; /* elements a thread converts at a time */

/* Done on the bits: with the sign cleared, a float's bit pattern orders as its magnitude does,
 * and NaN and ±∞ are the patterns from 0x7f800000 up; so one integer max (which vectorises, where
 * a float max with a NaN check does not without -ffast-math) finds both. Denormals (below
 * 0x00800000) count as 0, as they did in the float version, which ran with denormals-are-zero
 * (core/fpu.h): the same maximum, so the same scale and the same bits. A hot pass: profiled, the
 * float version was 16 % of a reproducible W2 step. */
/* The bits of |v| with denormals as 0 (see dni_blocks_max). */
static inline uint32_t magnitude_bits(const float *v) {
    uint32_t bits;
    memcpy(&bits, v, sizeof bits);
    bits &= 0x7fffffffu;
    return bits < 0x00800000u ? 0u : bits;
}

/* The float whose magnitude bits are `top` (INFINITY for NaN and ±∞ patterns). */
static double max_of_bits(uint32_t top) {
    if (top >= 0x7f800000u) return INFINITY;
    float max;
    memcpy(&max, &top, sizeof max);
    return (double)max;
}

double dni_blocks_max(const float *g, size_t n, int threads) {
    uint32_t top = 0;
    size_t tiles = (n + TILE - 1) / TILE;
    int team = dni_threads_for(threads, n, PARALLEL_MIN_ELEMENTS);
    (void)team;
#pragma omp parallel for num_threads(team) schedule(static) reduction(max : top)
    for (size_t t = 0; t < tiles; ++t) {
        size_t i0 = t * TILE, len = i0 + TILE < n ? TILE : n - i0;
        const float *in = g + i0;
        uint32_t tile_top = 0;
#pragma omp simd reduction(max : tile_top)
        for (size_t i = 0; i < len; ++i) {
            uint32_t bits = magnitude_bits(&in[i]);
            tile_top = bits > tile_top ? bits : tile_top;
        }
        top = tile_top > top ? tile_top : top;
    }
    return max_of_bits(top);
}

/* sums[i] = Σ_j round(grads[j][i]·2^S) over the `local` blocks; integer sums are exact, so the
 * blocks are added one after another over a tile (contiguous, vectorised) rather than a block
 * at a time per element: the same integers, a third of a reproducible W2 step less. */
static void to_fixed(const float *grads, size_t local, size_t n, int scale_exp, int64_t *sums,
                     int threads) {
    double scale = ldexp(1.0, scale_exp);
    size_t tiles = (n + TILE - 1) / TILE;
    int team = dni_threads_for(threads, n * (local ? local : 1), PARALLEL_MIN_ELEMENTS);
    (void)team;
#pragma omp parallel num_threads(team)
    {
        unsigned fpu = dni_fpu_enter();
#pragma omp for schedule(static)
        for (size_t t = 0; t < tiles; ++t) {
            size_t i0 = t * TILE, i1 = i0 + TILE < n ? i0 + TILE : n;
            int64_t *out = sums + i0;
            size_t len = i1 - i0;
#pragma omp simd
            for (size_t i = 0; i < len; ++i) out[i] = 0;
            for (size_t j = 0; j < local; ++j) {
                const float *in = grads + j * n + i0;
#pragma omp simd
                for (size_t i = 0; i < len; ++i) out[i] += dni_round_small((double)in[i] * scale);
            }
        }
        dni_fpu_leave(fpu);
    }
}

/* to_fixed at a guessed scale, finding the largest |gradient| of the local blocks in the same
 * read (returned as dni_blocks_max would). The guess is the last step's scale; when this step's
 * maximum gives another, the caller converts again, so the integers are always those of the
 * right scale. A wrong guess can make values exceed 2^51 (or a NaN give garbage): they are added
 * as unsigned, wrapping without undefined behaviour, and discarded. */
static double to_fixed_finding_max(const float *grads, size_t local, size_t n, int scale_exp,
                                   int64_t *sums, int threads) {
    double scale = ldexp(1.0, scale_exp);
    size_t tiles = (n + TILE - 1) / TILE;
    uint32_t top = 0;
    int team = dni_threads_for(threads, n * (local ? local : 1), PARALLEL_MIN_ELEMENTS);
    (void)team;
#pragma omp parallel num_threads(team)
    {
        unsigned fpu = dni_fpu_enter();
#pragma omp for schedule(static) reduction(max : top)
        for (size_t t = 0; t < tiles; ++t) {
            size_t i0 = t * TILE, i1 = i0 + TILE < n ? i0 + TILE : n;
            uint64_t *out = (uint64_t *)(sums + i0); /* the unsigned type may alias int64_t */
            size_t len = i1 - i0;
            uint32_t tile_top = 0;
#pragma omp simd
            for (size_t i = 0; i < len; ++i) out[i] = 0;
            for (size_t j = 0; j < local; ++j) {
                const float *in = grads + j * n + i0;
#pragma omp simd reduction(max : tile_top)
                for (size_t i = 0; i < len; ++i) {
                    uint32_t bits = magnitude_bits(&in[i]);
                    tile_top = bits > tile_top ? bits : tile_top;
                    out[i] += dni_round_small_wrapping((double)in[i] * scale);
                }
            }
            top = tile_top > top ? tile_top : top;
        }
        dni_fpu_leave(fpu);
    }
    return max_of_bits(top);
}

/* grads[i] = sums[i]·2^−S, rounded to float. */
static void from_fixed(const int64_t *sums, size_t n, int scale_exp, float *grads, int threads) {
    double scale = ldexp(1.0, -scale_exp);
    int team = dni_threads_for(threads, n, PARALLEL_MIN_ELEMENTS);
    (void)team;
#pragma omp parallel num_threads(team)
    {
        unsigned fpu = dni_fpu_enter();
#pragma omp for schedule(static)
        for (size_t i = 0; i < n; ++i) grads[i] = (float)((double)sums[i] * scale);
        dni_fpu_leave(fpu);
    }
}

/* Block j's forward and backward pass into `grads`; returns its loss sum (NaN: skip the rest). */
static double run_block(dn_model *m, const dn_dataset *d, const size_t *index, size_t begin,
                        size_t rows, size_t batch_rows, float *grads, double *correct) {
    dni_model_load_batch(m, d, index + begin, rows);
    m->row_offset = begin;
    dni_model_run(m, rows, DN_MODE_TRAINING, m->step);
    m->row_offset = 0;
    const dn_layer *last = &m->layers[m->layer_count - 1];
    double loss = 0.0;
    dni_loss_batch(m->loss, last->activation, last->pre, last->y, rows, batch_rows, last->out,
                   m->batch_labels, m->batch_targets, m->loss_grad, &loss, correct);
    if (!isfinite(loss)) return loss;
    float *slab = m->grads; /* the block's gradient goes to its own slice, not the slab */
    m->grads = grads;
    dni_model_backprop(m, rows, dni_loss_is_fused(m->loss, last->activation));
    m->grads = slab;
    return loss;
}

/* The local blocks' forward and backward passes; stats[1] gets the largest |block loss|, and
 * stats[0] the largest |gradient| unless `find_max` is 0 (the fused pass finds it). A
 * non-finite loss or gradient sets stats[2] and skips the remaining blocks. */
static void run_local_blocks(dn_model *m, dni_blocks *b, const dn_dataset *d, const size_t *index,
                             size_t rows, size_t k0, size_t local, int find_max, double *stats,
                             double *correct) {
    size_t n = m->param_count;
    for (size_t j = 0; j < local; ++j) {
        size_t begin = (k0 + j) * b->block_rows;
        size_t block = rows - begin < b->block_rows ? rows - begin : b->block_rows;
        b->loss[j] = run_block(m, d, index, begin, block, rows, b->grads + j * n, correct);
        double g = !isfinite(b->loss[j]) ? INFINITY
                   : find_max            ? dni_blocks_max(b->grads + j * n, n, m->threads)
                                         : 0.0;
        if (!isfinite(g)) {
            stats[2] = 1.0;
            return;
        }
        if (g > stats[0]) stats[0] = g;
        if (fabs(b->loss[j]) > stats[1]) stats[1] = fabs(b->loss[j]);
    }
}

dn_status dni_blocks_gradient(dn_model *m, dni_blocks *b, const dn_dataset *d,
                              const size_t *index, size_t rows, double *loss_sum, double *correct,
                              int *finite, dn_error *err) {
    size_t n = m->param_count, blocks = blocks_of(rows, b->block_rows);
    size_t k0 = first_block(blocks, b->rank, b->workers);
    size_t local = first_block(blocks, b->rank + 1, b->workers) - k0;
    double stats[3] = {0.0, 0.0, 0.0}; /* max |gradient|, max |block loss|, non-finite flag */
    double local_correct = 0.0;
    /* Profiled, a separate pass for the maximum was 15 % of a W2 step and the conversion 19 %,
     * both reading every block's whole gradient: with the last step's scale as a guess, one
     * pass does both, and only a step whose maximum changed its power of two converts again. */
    /* Each block's forward pass would pack every dense kernel again (17 % of a W2 step with
     * the backward's packing): packed once per step, in place, the blocks share it. */
    dn_status st = local > 1 ? dni_inference_plan_build(m, err) : DN_OK;
    if (st != DN_OK) return st;
    int fused = b->has_guess;
    run_local_blocks(m, b, d, index, rows, k0, local, !fused, stats, &local_correct);
    if (fused && stats[2] == 0.0) {
        double g = to_fixed_finding_max(b->grads, local, n, b->scale_guess, b->sums, m->threads);
        if (!isfinite(g)) stats[2] = 1.0;
        else stats[0] = g;
    }
    /* A failed read of rows kept on disk stops this worker before it joins a sum: the others
     * wait in the next one until the caller ends the job (the CLI aborts), so no worker can
     * apply an update made of zero rows. */
    if ((st = dni_dataset_check_io(d, err)) != DN_OK) return st;
    if (b->reducer) st = b->reducer->max_double(stats, 3, b->reducer->user, err);
    *finite = stats[2] == 0.0;
    if (st != DN_OK || !*finite) return st;

    int gs = dni_blocks_scale(stats[0], blocks), ls = dni_blocks_scale(stats[1], blocks);
    if (fused) b->guesses++;
    if (!fused || gs != b->scale_guess) {
        b->misses += fused;
        to_fixed(b->grads, local, n, gs, b->sums, m->threads);
    }
    b->scale_guess = gs;
    b->has_guess = 1;
    double loss_scale = ldexp(1.0, ls);
    int64_t loss_fixed = 0;
    for (size_t j = 0; j < local; ++j) loss_fixed += dni_round_small(b->loss[j] * loss_scale);
    b->sums[n] = loss_fixed;
    b->sums[n + 1] = (int64_t)local_correct; /* a count: exact */
    if (b->reducer && (st = b->reducer->sum_int64(b->sums, n + 2, b->reducer->user, err)) != DN_OK)
        return st;
    from_fixed(b->sums, n, gs, m->grads, m->threads);
    *loss_sum += ldexp((double)b->sums[n], -ls);
    *correct += (double)b->sums[n + 1];
    return DN_OK;
}
