/* test_weight_panels.c — the training step's packed kernels (model/weight_panels.h).
 *
 * Kernel level: writing a matrix part by part (kernels/gemm_packed_part.h) gives, float for float,
 * the packed forms of W and Wᵀ that dni_gemm_pack_b_once writes, for every family the CPU runs.
 * Model level: steps whose products read the panels the previous step wrote give the bits of the
 * separate path (backprop that packs W itself, then the update over the slab), fp32 and bf16, 1
 * and 3 threads; weights changed outside the step (dn_model_params, dn_model_copy_weights,
 * max-norm) make the panels stale, so the next step packs the new weights; and fit with the
 * panels gives the bits of fit with them dropped at every batch. */
#include "test.h"

#include "dropnet.h"
#include "core/alloc.h"
#include "kernels/gemm.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_packed.h"
#include "kernels/gemm_packed_part.h"
#include "model/model.h"
#include "model/network.h"
#include "model/optimizer.h"
#include "model/weight_panels.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fill(float *x, size_t n, uint32_t seed) {
    for (size_t i = 0; i < n; ++i) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)((double)(seed >> 8) / (double)(1u << 24) * 2.0 - 1.0);
    }
}

/* W [K×N] written in parts of `rows` × `cols` (the shapes of the driver's parts: mr rows, whole
 * panels of columns), in an order unlike the packing's (last part first), against the whole
 * packings of W and Wᵀ. */
static void check_parts(dn_gemm_kernel kernel, size_t K, size_t N, size_t rows, size_t cols) {
    const dn_gemm_impl *impl = dni_gemm_impl_of(kernel);
    size_t floats = dni_gemm_packed_floats_any(K, N);
    float *w = malloc(K * N * sizeof(float)), *wt = malloc(K * N * sizeof(float));
    float *want = dni_alloc_zeroed(floats, sizeof(float)), *got = dni_alloc_zeroed(floats, sizeof(float));
    float *want_t = dni_alloc_zeroed(floats, sizeof(float));
    float *got_t = dni_alloc_zeroed(floats, sizeof(float));
    if (w && wt && want && got && want_t && got_t) {
        fill(w, K * N, (uint32_t)(K * 131 + N));
        for (size_t i = 0; i < K; ++i)
            for (size_t j = 0; j < N; ++j) wt[j * K + i] = w[i * N + j];
        dni_gemm_pack_b_once(impl, K, N, w, N, want);
        dni_gemm_pack_b_once(impl, N, K, wt, K, want_t);
        size_t row_parts = (K + rows - 1) / rows, col_parts = (N + cols - 1) / cols;
        for (size_t p = row_parts * col_parts; p-- > 0;) {
            size_t i0 = p / col_parts * rows, j0 = p % col_parts * cols;
            size_t m = K - i0 < rows ? K - i0 : rows, n = N - j0 < cols ? N - j0 : cols;
            dni_gemm_pack_b_part(impl, K, N, w, N, i0, m, j0, n, got);
            dni_gemm_pack_bt_part(impl, K, N, w, N, i0, m, j0, n, got_t);
        }
        size_t used = dni_gemm_packed_floats(impl, K, N) - DN_GEMM_PREFETCH_SLACK;
        size_t used_t = dni_gemm_packed_floats(impl, N, K) - DN_GEMM_PREFETCH_SLACK;
        CHECK_MSG(memcmp(want, got, used * sizeof(float)) == 0,
                  "%s, W %zux%zu in %zux%zu parts: the forward panels differ",
                  dni_gemm_kernel_name(kernel), K, N, rows, cols);
        CHECK_MSG(memcmp(want_t, got_t, used_t * sizeof(float)) == 0,
                  "%s, W %zux%zu in %zux%zu parts: the transposed panels differ",
                  dni_gemm_kernel_name(kernel), K, N, rows, cols);
        /* Not two empty buffers: the packing holds the weights. */
        CHECK(memcmp(got, got_t, used * sizeof(float)) != 0);
    }
    free(w);
    free(wt);
    dni_free(want), dni_free(got), dni_free(want_t), dni_free(got_t);
}

TEST(panel_parts_give_the_floats_of_the_whole_packing) {
    const dn_gemm_kernel all[] = {DN_GEMM_PORTABLE, DN_GEMM_AVX2, DN_GEMM_AVX512, DN_GEMM_BF16,
                                  DN_GEMM_AVX512_BF16};
    for (size_t f = 0; f < sizeof all / sizeof all[0]; ++f) {
        if (!dni_gemm_kernel_available(all[f])) continue;
        const dn_gemm_impl *impl = dni_gemm_impl_of(all[f]);
        /* K past one block (600 > kc: blocks of 304 and 296) and odd (bf16: a last pair
         * without a high half); N with a partial last panel; parts of mr rows that straddle
         * K blocks, and of one or several panels of columns (64: a fused dropout's quantum). */
        check_parts(all[f], 600, 70, impl->mr, impl->nr);
        check_parts(all[f], 45, 33, impl->mr, 2 * impl->nr);
        check_parts(all[f], 29, 600, impl->mr, 64 > impl->nr ? 64 : impl->nr);
        check_parts(all[f], 531, 517, impl->mr, 1024);
    }
}

/* The model of test_fused_update.c: odd widths, partial tiles, and the weight gradient's K in two
 * blocks at 300 rows. */
#define SPEC "dropout:0.2,dense:45:relu,dropout:0.3,dense:33:tanh,dense:7:softmax"
enum { INPUTS = 29, MAX_ROWS = 300, STEPS = 4 };

static dn_model *build(dn_precision precision, int threads, int panels) {
    dn_error err;
    dn_model *m = NULL;
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    sgd.momentum = 0.9f;
    CHECK_OK(dn_model_from_spec(&m, INPUTS, SPEC, &err), &err);
    if (m == NULL) return NULL;
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 11, &err), &err);
    CHECK_OK(dn_model_set_threads(m, threads, &err), &err);
    CHECK_OK(dn_model_set_precision(m, precision, &err), &err);
    m->keeps_panels = panels; /* what fit decides (fit.c); here both ways for every family */
    CHECK_OK(dni_model_reserve(m, MAX_ROWS, &err), &err);
    return m;
}

/* One step on `rows` rows with dL/dy = g(step): the fused update (writing the panels where the
 * model keeps them), or backprop then the separate update. */
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

/* A change of the weights outside the step, made to both models: `how` 0 none, 1 through
 * dn_model_params, 2 through dn_model_copy_weights (from a model with the new weights). */
static void change_weights(dn_model *a, dn_model *b, int how, int s) {
    dn_error err;
    float *wa = dn_model_params(a);
    for (size_t i = 0; i < a->param_count; i += 5) wa[i] *= 0.5f + 0.125f * (float)s;
    if (how == 1) {
        float *wb = dn_model_params(b);
        memcpy(wb, wa, b->param_count * sizeof *wb);
    } else {
        CHECK_OK(dn_model_copy_weights(b, a, &err), &err);
    }
    CHECK_MSG(dni_weight_panels_current(b) == NULL, "the panels stayed current after a change "
              "of the weights (way %d)", how);
}

TEST(steps_over_the_last_steps_panels_give_the_bits_of_packing_each_product) {
    const dn_precision precisions[] = {DN_PRECISION_FP32, DN_PRECISION_BF16};
    const int threads[] = {1, 3};
    const size_t batches[] = {70, MAX_ROWS};
    float *x = malloc(MAX_ROWS * INPUTS * sizeof *x);
    if (x == NULL) return;
    for (size_t i = 0; i < MAX_ROWS * INPUTS; ++i)
        x[i] = (float)((int)(i * 7919 % 101) - 50) / 25.0f;
    for (int how = 0; how < 3; ++how)
        for (size_t p = 0; p < 2; ++p)
            for (size_t t = 0; t < 2; ++t) {
                dn_model *a = build(precisions[p], threads[t], 0);
                dn_model *b = build(precisions[p], threads[t], 1);
                if (a == NULL || b == NULL) {
                    dn_model_free(a);
                    dn_model_free(b);
                    continue;
                }
                CHECK(b->panels_held && !a->panels_held);
                size_t n = a->param_count, read = 0;
                for (int s = 0; s < STEPS; ++s) {
                    size_t rows = batches[(p + t + (size_t)s) % 2];
                    if (how != 0 && s == 2) change_weights(a, b, how, s);
                    read += dni_weight_panels_current(b) != NULL;
                    step(a, x, rows, 0);
                    step(b, x, rows, 1);
                    CHECK(dni_weight_panels_current(b) != NULL); /* written by the step */
                }
                /* Every step but the first (and the one after a change) read the panels. */
                CHECK_MSG(read == (size_t)(how == 0 ? STEPS - 1 : STEPS - 2),
                          "%zu of %d steps read the panels", read, STEPS);
                CHECK_MSG(differing(a->params, b->params, n) == 0 &&
                              differing(a->grads, b->grads, n) == 0 &&
                              differing(a->opt_m, b->opt_m, n) == 0,
                          "%s, %d threads, change %d: %zu weights, %zu gradients, %zu velocities "
                          "differ from the path that packs every product",
                          p ? "bf16" : "fp32", threads[t], how,
                          differing(a->params, b->params, n), differing(a->grads, b->grads, n),
                          differing(a->opt_m, b->opt_m, n));
                dn_model_free(a);
                dn_model_free(b);
            }
    free(x);
}

/* 640 synthetic rows of INPUTS features, 7 classes. */
static dn_dataset *dataset(void) {
    dn_error err;
    dn_dataset *d = NULL;
    CHECK_OK(dn_dataset_create_synthetic(&d, 640, INPUTS, 7, 5, &err), &err);
    return d;
}

/* At every batch's end: the weights handed out, so the next step finds the panels stale. */
static int drop_panels(const dn_event *ev, void *user) {
    if (ev->kind == DN_EVENT_BATCH_END) (void)dn_model_params(user);
    return 0;
}

/* fit (bf16: fit keeps the panels for the bf16 families) with and without reading them, with a
 * max-norm constraint (which changes the weights after the fused step), gives the same model. */
TEST(fit_over_panels_gives_the_bits_of_fit_packing_every_product) {
    dn_error err;
    dn_dataset *d = dataset();
    if (d == NULL) return;
    dn_model *m[2] = {NULL, NULL};
    for (int k = 0; k < 2; ++k) {
        m[k] = build(DN_PRECISION_BF16, 2, 0);
        if (m[k] == NULL) continue;
        for (int c = 0; c < 2; ++c) {
            dn_fit_config cfg = dn_fit_defaults();
            cfg.epochs = 2;
            cfg.batch_size = 64;
            m[k]->regularization.max_norm = c ? 0.9f : 0.0f;
            CHECK_OK(dn_model_fit(m[k], d, &cfg, k ? drop_panels : NULL, m[k], NULL, &err), &err);
        }
    }
    if (m[0] != NULL && m[1] != NULL) {
        const dn_gemm_impl *family = dni_weight_panels_family(m[0]);
        CHECK(m[0]->panels_held == (family != NULL && family->packs_pairs));
        CHECK(m[1]->panels_fresh == 0 || m[1]->panels_held == 0);
        CHECK_MSG(differing(m[0]->params, m[1]->params, m[0]->param_count) == 0,
                  "%zu weights differ", differing(m[0]->params, m[1]->params, m[0]->param_count));
    }
    dn_model_free(m[0]);
    dn_model_free(m[1]);
    dn_dataset_free(d);
}
