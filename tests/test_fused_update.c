/* test_fused_update.c — the optimizer step fused into the backward pass (network.h,
 * dni_model_backprop_update) gives the bits of the backward pass followed by the separate update
 * over the slab (dni_optimizer_update), for every optimizer, both precisions and 1 and 3
 * threads, over several steps (so momentum and Adam's moments carry); and fit takes the fused
 * path only where it is exact. */
#include "test.h"

#include "dropnet.h"
#include "model/model.h"
#include "model/network.h"
#include "model/optimizer.h"
#include "kernels/gemm.h"
#include "kernels/gemm_blocked.h"
#include "kernels/gemm_kernel.h"

#include <stdlib.h>
#include <string.h>

/* Odd widths: partial register tiles and thread parts; 70 rows: edge row panels in every
 * product; 300 rows: the weight gradient's K (the rows) in two blocks, so the update must wait
 * for the last. The second layer's input gradient reads W, so an update applied before it
 * would change the first layer's gradient. */
#define SPEC "dropout:0.2,dense:45:relu,dropout:0.3,dense:33:tanh,dense:7:softmax"
enum { INPUTS = 29, MAX_ROWS = 300, STEPS = 3 };

static dn_model *build_spec(const char *spec, size_t inputs, const dn_optimizer_config *opt,
                            dn_precision precision, int threads) {
    dn_error err;
    dn_model *m = NULL;
    CHECK_OK(dn_model_from_spec(&m, inputs, spec, &err), &err);
    if (m == NULL) return NULL;
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, opt, 11, &err), &err);
    CHECK_OK(dn_model_set_threads(m, threads, &err), &err);
    CHECK_OK(dn_model_set_precision(m, precision, &err), &err);
    CHECK_OK(dni_model_reserve(m, MAX_ROWS, &err), &err);
    return m;
}

static dn_model *build(const dn_optimizer_config *opt, dn_precision precision, int threads) {
    return build_spec(SPEC, INPUTS, opt, precision, threads);
}

/* One training step on `rows` rows of x with the upstream gradient dL/dy = g(step): fused or
 * not. */
static void step(dn_model *m, const float *x, size_t rows, int fused) {
    dn_error err;
    CHECK_OK(dn_model_forward(m, x, rows, DN_MODE_TRAINING, m->step, NULL, &err), &err);
    size_t outputs = dn_model_output_size(m);
    for (size_t i = 0; i < rows * outputs; ++i)
        m->loss_grad[i] = (float)((int)((i * 37 + m->step * 11) % 23) - 11) / 64.0f;
    if (fused) {
        dni_model_backprop_update(m, rows, 0, m->step + 1);
        m->step++;
    } else {
        dni_model_backprop(m, rows, 0);
        m->step++;
        dni_optimizer_update(&m->optimizer, m->params, m->grads, m->opt_m, m->opt_v,
                             m->param_count, m->step, m->threads);
    }
}

static size_t differing(const float *a, const float *b, size_t n) {
    size_t count = 0;
    for (size_t i = 0; i < n; ++i) count += memcmp(a + i, b + i, sizeof *a) != 0;
    return count;
}

TEST(fused_update_gives_the_bits_of_backprop_then_update) {
    dn_optimizer_config opts[4];
    opts[0] = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    opts[1] = opts[0];
    opts[1].momentum = 0.9f;
    opts[2] = opts[1];
    opts[2].nesterov = 1;
    opts[3] = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    const dn_precision precisions[] = {DN_PRECISION_FP32, DN_PRECISION_BF16};
    const int threads[] = {1, 3};
    const size_t batches[] = {70, MAX_ROWS};
    float *x = malloc(MAX_ROWS * INPUTS * sizeof *x);
    if (x == NULL) return;
    for (size_t i = 0; i < MAX_ROWS * INPUTS; ++i)
        x[i] = (float)((int)(i * 7919 % 101) - 50) / 25.0f;
    for (size_t o = 0; o < 4; ++o)
        for (size_t p = 0; p < 2; ++p)
            for (size_t t = 0; t < 2; ++t) {
                dn_model *a = build(&opts[o], precisions[p], threads[t]);
                dn_model *b = build(&opts[o], precisions[p], threads[t]);
                if (a == NULL || b == NULL) {
                    dn_model_free(a);
                    dn_model_free(b);
                    continue;
                }
                CHECK(dni_model_update_fusable(b));
                size_t n = a->param_count;
                float *start = malloc(n * sizeof *start);
                if (start != NULL) memcpy(start, a->params, n * sizeof *start);
                for (int s = 0; s < STEPS; ++s) {
                    size_t rows = batches[(o + p + t + (size_t)s) % 2];
                    step(a, x, rows, 0);
                    step(b, x, rows, 1);
                }
                CHECK_MSG(differing(a->params, b->params, n) == 0 &&
                              differing(a->grads, b->grads, n) == 0 &&
                              differing(a->opt_m, b->opt_m, n) == 0 &&
                              differing(a->opt_v, b->opt_v, n) == 0,
                          "optimizer %zu, %s, %d threads: %zu weights, %zu gradients, %zu m, "
                          "%zu v differ between the fused and the separate update",
                          o, p ? "bf16" : "fp32", threads[t], differing(a->params, b->params, n),
                          differing(a->grads, b->grads, n), differing(a->opt_m, b->opt_m, n),
                          differing(a->opt_v, b->opt_v, n));
                /* Not a comparison of two no-ops: nearly every weight and bias moved. */
                if (start != NULL)
                    CHECK_MSG(differing(start, b->params, n) * 10 > n * 9,
                              "only %zu of %zu parameters moved", differing(start, b->params, n),
                              n);
                free(start);
                dn_model_free(a);
                dn_model_free(b);
            }
    free(x);
}

/* DropConnect keeps its own backward pass (the kernel it multiplies is masked): not fusable. A
 * model without one is. */
TEST(fused_update_only_for_plain_dense_models) {
    dn_error err;
    dn_model *m = NULL;
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    CHECK_OK(dn_model_from_spec(&m, 6, "dense:8:relu:dropconnect=0.3,dense:3:softmax", &err), &err);
    if (m != NULL) {
        CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 1, &err),
                 &err);
        CHECK(!dni_model_update_fusable(m));
        dn_model_free(m);
    }
    m = NULL;
    CHECK_OK(dn_model_from_spec(&m, 6, "dense:8:relu,dropout:0.5,dense:3:softmax", &err), &err);
    if (m != NULL) {
        CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 1, &err),
                 &err);
        CHECK(dni_model_update_fusable(m));
        dn_model_free(m);
    }
}

/* The layers above are too small for a second thread (the driver keeps products under ~0.5 M
 * multiply-adds per thread on one). These weight gradients (200×256 and 256×10 over 300 rows)
 * run on 3 threads, in the row bands the driver gives a product with a `finished` hook: the bits
 * must still be those of the separate update. */
TEST(fused_update_on_three_threads_gives_the_bits_of_the_separate_update) {
    enum { WIDE_INPUTS = 200 };
    dn_optimizer_config opts[2] = {dn_optimizer_defaults(DN_OPTIMIZER_SGD),
                                   dn_optimizer_defaults(DN_OPTIMIZER_ADAM)};
    opts[0].momentum = 0.9f;
    float *x = malloc(MAX_ROWS * WIDE_INPUTS * sizeof *x);
    if (x == NULL) return;
    for (size_t i = 0; i < MAX_ROWS * WIDE_INPUTS; ++i)
        x[i] = (float)((int)(i * 7919 % 103) - 51) / 25.0f;
    for (size_t o = 0; o < 2; ++o) {
        const char *spec = "dropout:0.2,dense:256:relu,dense:10:softmax";
        dn_model *a = build_spec(spec, WIDE_INPUTS, &opts[o], DN_PRECISION_FP32, 3);
        dn_model *b = build_spec(spec, WIDE_INPUTS, &opts[o], DN_PRECISION_FP32, 3);
        if (a != NULL && b != NULL) {
            for (int s = 0; s < STEPS; ++s) {
                step(a, x, MAX_ROWS, 0);
                step(b, x, MAX_ROWS, 1);
            }
            size_t n = a->param_count;
            CHECK_MSG(differing(a->params, b->params, n) == 0 &&
                          differing(a->opt_m, b->opt_m, n) == 0 &&
                          differing(a->opt_v, b->opt_v, n) == 0,
                      "optimizer %zu: %zu weights, %zu velocities/first moments, %zu second "
                      "moments differ", o, differing(a->params, b->params, n),
                      differing(a->opt_m, b->opt_m, n), differing(a->opt_v, b->opt_v, n));
            /* Not two no-ops: the steps moved nearly every velocity / first moment. */
            float *zero = calloc(n, sizeof *zero);
            if (zero != NULL)
                CHECK_MSG(differing(zero, b->opt_m, n) * 10 > n * 9,
                          "optimizer %zu: only %zu of %zu moments moved", o,
                          differing(zero, b->opt_m, n), n);
            free(zero);
        }
        dn_model_free(a);
        dn_model_free(b);
    }
    free(x);
}

static void no_hook(void *context, size_t i0, size_t rows, size_t j0, size_t n) {
    (void)context, (void)i0, (void)rows, (void)j0, (void)n;
}

/* W2's weight gradient (1024×1024 over 128 rows) on 2 threads: with the optimizer hook, row bands
 * (each a contiguous stretch of W and the velocity), two per thread; without it, the driver's
 * packing-cost grid, which for this square product cuts columns too. */
TEST(product_with_a_finished_hook_is_cut_into_row_bands) {
    const dn_gemm_impl *impl = dni_gemm_impl_of(DN_GEMM_PORTABLE);
    dn_gemm_epilogue hook = {.finished = no_hook};
    dn_gemm_problem p = {.trans_a = 1, .M = 1024, .N = 1024, .K = 128, .epilogue = &hook};
    size_t gm = 0, gn = 0;
    dni_gemm_unit_grid(impl, &p, 2, &gm, &gn);
    CHECK_MSG(gm == 4 && gn == 1, "hooked product: grid %zu x %zu, expected 4 x 1", gm, gn);
    dni_gemm_unit_grid(impl, &p, 1, &gm, &gn);
    CHECK_MSG(gm == 1 && gn == 1, "one thread: grid %zu x %zu", gm, gn);
    /* One row tile (a layer of a few inputs): both threads still get a part, from columns. */
    p.M = impl->mr;
    dni_gemm_unit_grid(impl, &p, 2, &gm, &gn);
    CHECK_MSG(gm * gn >= 2, "hooked product of one row tile: grid %zu x %zu", gm, gn);
    p.M = 1024;
    p.epilogue = NULL;
    dni_gemm_unit_grid(impl, &p, 2, &gm, &gn);
    CHECK_MSG(gn > 1, "plain product: grid %zu x %zu, expected a column split", gm, gn);
}
