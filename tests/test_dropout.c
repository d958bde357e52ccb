/* test_dropout.c — inverted dropout: statistics of the mask over 10^6 elements, the exact scale
 * of survivors, identity at inference and at rate 0, reproducibility (seed, step, batch size),
 * the documented Philox rule for the mask, rate validation, the input gradient at a fixed step,
 * and the masks fit uses.
 *
 * Statistical bounds (n = 10^6 independent elements, rate p = 0.2):
 *   dropped fraction: σ = √(p(1−p)/n) = 4e-4; the ±0.003 bound is 7.5σ.
 *   mean of the output over ones: each y is 1/(1−p) with probability 1−p, else 0, so
 *     Var y = p/(1−p) = 0.25, σ_mean = √(0.25/n) = 5e-4; the bound used is 5σ = 2.5e-3.
 *   fraction of positions whose mask differs between two independent masks: 2p(1−p) = 0.32,
 *     σ = √(0.32·0.68/n) ≈ 4.7e-4; bound ±0.003 (6σ). */
#include "test.h"

#include "core/rng.h"
#include "dropnet.h"
#include "model/model.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { BIG_COLS = 31250, BIG_ROWS = 32, BIG_N = BIG_COLS * BIG_ROWS }; /* 10^6 elements */

/* Dropout(rate) over `cols` inputs, then Dense(1) so that the model compiles. */
static dn_model *dropout_model(size_t cols, float rate, uint64_t seed) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, cols, &err), &err);
    if (m == NULL) return NULL;
    CHECK_OK(dn_model_add_dropout(m, rate, &err), &err);
    CHECK_OK(dn_model_add_dense(m, 1, DN_ACT_LINEAR, NULL, &err), &err);
    dn_status st = dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, NULL, seed, &err);
    CHECK_MSG(st == DN_OK, "compile: %s", err.message);
    if (st != DN_OK) {
        dn_model_free(m);
        return NULL;
    }
    return m;
}

/* The keep decision documented in dropnet.h, computed here from dn_philox4x32_10 alone:
 * key (seed lo, seed hi), counter (e/4, DROPOUT << 16 | layer, step lo, step hi), word e%4;
 * dropped ⇔ word < round(rate·2^32). */
static int documented_keep(uint64_t seed, uint32_t layer, uint64_t step, uint64_t e, float rate) {
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t counter[4] = {(uint32_t)(e / 4), ((uint32_t)DN_RNG_DROPOUT << 16) | layer,
                           (uint32_t)step, (uint32_t)(step >> 32)};
    uint32_t out[4];
    dn_philox4x32_10(counter, key, out);
    uint64_t threshold = (uint64_t)llround((double)rate * 4294967296.0);
    return (uint64_t)out[e % 4] >= threshold;
}

/* Forward in training mode at `step` and fetch the mask of layer `layer`. */
static size_t mask_at(dn_model *m, const float *x, size_t rows, size_t layer, uint64_t step,
                      uint8_t *keep) {
    dn_error err;
    size_t dropped = (size_t)-1;
    CHECK_OK(dn_model_forward(m, x, rows, DN_MODE_TRAINING, step, NULL, &err), &err);
    CHECK_OK(dn_model_dropout_mask(m, layer, keep, &dropped, &err), &err);
    return dropped;
}

TEST(dropout_statistics_and_scale) {
    dn_model *m = dropout_model(BIG_COLS, 0.2f, 42);
    float *x = malloc(BIG_N * sizeof *x);
    uint8_t *keep = malloc(BIG_N);
    if (m == NULL || x == NULL || keep == NULL) {
        CHECK(x != NULL && keep != NULL);
        goto done;
    }
    /* Varied non-zero inputs, so a survivor is never mistaken for a dropped unit. */
    for (size_t e = 0; e < BIG_N; ++e) x[e] = 0.25f + (float)(e % 1013) * (3.0f / 1013.0f);
    size_t dropped = mask_at(m, x, BIG_ROWS, 0, 0, keep);
    double fraction = (double)dropped / BIG_N;
    CHECK_MSG(fabs(fraction - 0.2) <= 0.003, "dropped fraction %.6f, expected 0.2 ± 0.003", fraction);

    /* The scale the layer uses is the float nearest 1/(1 − 0.2f) = 1.25. */
    float scale = m->layers[0].keep_scale;
    CHECK(scale == (float)(1.0 / (1.0 - (double)0.2f)));
    CHECK(scale == 1.25f);
    size_t rows = 0, cols = 0;
    const float *y = dn_model_activation(m, 1, &rows, &cols);
    CHECK(y != NULL && rows == BIG_ROWS && cols == BIG_COLS);
    size_t bad = 0, kept = 0, far = 0;
    for (size_t e = 0; y != NULL && e < BIG_N; ++e) {
        if (keep[e]) {
            kept++;
            bad += y[e] != x[e] * scale;
            /* within one ulp of the exact x/(1 − rate) */
            double exact = (double)x[e] / (1.0 - 0.2);
            far += fabs((double)y[e] - exact) > (double)(nextafterf(y[e], INFINITY) - y[e]);
        } else {
            bad += y[e] != 0.0f;
        }
    }
    CHECK_MSG(bad == 0, "%zu outputs are neither 0 nor x·scale", bad);
    CHECK_MSG(far == 0, "%zu survivors are more than 1 ulp from x/(1 − rate)", far);
    CHECK(kept + dropped == BIG_N);

    /* Mean over ones: E y = 1. */
    for (size_t e = 0; e < BIG_N; ++e) x[e] = 1.0f;
    CHECK(mask_at(m, x, BIG_ROWS, 0, 1, keep) != (size_t)-1);
    y = dn_model_activation(m, 1, NULL, NULL);
    double sum = 0.0;
    for (size_t e = 0; y != NULL && e < BIG_N; ++e) sum += y[e];
    CHECK_MSG(fabs(sum / BIG_N - 1.0) <= 2.5e-3, "mean %.6f, expected 1 ± 2.5e-3", sum / BIG_N);
done:
    free(x);
    free(keep);
    dn_model_free(m);
}

TEST(dropout_masks_seed_step_reproducibility) {
    dn_model *a = dropout_model(BIG_COLS, 0.2f, 42);
    dn_model *b = dropout_model(BIG_COLS, 0.2f, 42);
    dn_model *c = dropout_model(BIG_COLS, 0.2f, 43);
    float *x = malloc(BIG_N * sizeof *x);
    uint8_t *k1 = malloc(BIG_N), *k2 = malloc(BIG_N);
    if (!a || !b || !c || !x || !k1 || !k2) {
        CHECK(x && k1 && k2);
        goto done;
    }
    for (size_t e = 0; e < BIG_N; ++e) x[e] = 1.0f;
    mask_at(a, x, BIG_ROWS, 0, 5, k1);
    mask_at(b, x, BIG_ROWS, 0, 5, k2);
    CHECK_MSG(memcmp(k1, k2, BIG_N) == 0, "same seed and step: masks differ");
    /* Running other steps in between changes nothing: the mask is addressed, not sequential. */
    mask_at(a, x, BIG_ROWS, 0, 17, k2);
    mask_at(a, x, BIG_ROWS, 0, 5, k2);
    CHECK(memcmp(k1, k2, BIG_N) == 0);

    mask_at(a, x, BIG_ROWS, 0, 6, k2);
    size_t differ = 0;
    for (size_t e = 0; e < BIG_N; ++e) differ += k1[e] != k2[e];
    CHECK_MSG(fabs((double)differ / BIG_N - 0.32) <= 0.003,
              "next step: %.6f of positions differ, expected 0.32 ± 0.003", (double)differ / BIG_N);

    mask_at(c, x, BIG_ROWS, 0, 5, k2);
    differ = 0;
    for (size_t e = 0; e < BIG_N; ++e) differ += k1[e] != k2[e];
    CHECK_MSG(fabs((double)differ / BIG_N - 0.32) <= 0.003,
              "other seed: %.6f of positions differ, expected 0.32 ± 0.003", (double)differ / BIG_N);
done:
    free(x);
    free(k1);
    free(k2);
    dn_model_free(a);
    dn_model_free(b);
    dn_model_free(c);
}

TEST(dropout_identity_at_inference_and_rate_zero) {
    enum { COLS = 8, ROWS = 4 };
    float x[ROWS * COLS];
    const float special[] = {-0.0f, 1e-40f, -1e-42f, FLT_MAX, -FLT_MAX, FLT_MIN, INFINITY,
                             -INFINITY, 3.0f, -7.25f, 1e30f, 0.1f};
    for (size_t e = 0; e < ROWS * COLS; ++e)
        x[e] = e < sizeof special / sizeof special[0] ? special[e] : (float)sin((double)e) * 5.0f;

    dn_model *m = dropout_model(COLS, 0.5f, 7);
    dn_error err;
    if (m != NULL) {
        CHECK_OK(dn_model_forward(m, x, ROWS, DN_MODE_INFERENCE, 3, NULL, &err), &err);
        const float *y = dn_model_activation(m, 1, NULL, NULL);
        CHECK(y != NULL && memcmp(y, x, sizeof x) == 0);
        /* No training pass has run: no mask to report. */
        uint8_t keep[ROWS * COLS];
        CHECK(dn_model_dropout_mask(m, 0, keep, NULL, &err) == DN_ERR_STATE);
        /* A training pass does drop something at rate 0.5 (P(none of 32) = 2^-32)… */
        CHECK_OK(dn_model_forward(m, x, ROWS, DN_MODE_TRAINING, 3, NULL, &err), &err);
        y = dn_model_activation(m, 1, NULL, NULL);
        CHECK(y != NULL && memcmp(y, x, sizeof x) != 0);
        /* …and inference afterwards is the identity again. */
        CHECK_OK(dn_model_forward(m, x, ROWS, DN_MODE_INFERENCE, 3, NULL, &err), &err);
        y = dn_model_activation(m, 1, NULL, NULL);
        CHECK(y != NULL && memcmp(y, x, sizeof x) == 0);
        CHECK(dn_model_dropout_mask(m, 0, keep, NULL, &err) == DN_ERR_STATE);
        /* A layer that is not dropout has no mask. */
        CHECK(dn_model_dropout_mask(m, 1, keep, NULL, &err) == DN_ERR_ARGUMENT);
    }
    dn_model_free(m);

    m = dropout_model(COLS, 0.0f, 7);
    if (m != NULL) {
        for (uint64_t step = 0; step < 4; ++step) {
            uint8_t keep[ROWS * COLS];
            size_t dropped = mask_at(m, x, ROWS, 0, step, keep);
            CHECK(dropped == 0);
            const float *y = dn_model_activation(m, 1, NULL, NULL);
            CHECK_MSG(y != NULL && memcmp(y, x, sizeof x) == 0,
                      "rate 0 in training mode is not the bitwise identity (step %llu)",
                      (unsigned long long)step);
        }
    }
    dn_model_free(m);
}

TEST(dropout_mask_independent_of_batch_rows) {
    enum { COLS = 1000 };
    dn_model *m = dropout_model(COLS, 0.3f, 99);
    dn_error err;
    float *x = malloc(64 * COLS * sizeof *x);
    uint8_t *k64 = malloc(64 * COLS), *k32 = malloc(64 * COLS);
    if (m == NULL || x == NULL || k64 == NULL || k32 == NULL) {
        CHECK(x && k64 && k32);
        goto done;
    }
    for (size_t e = 0; e < 64 * COLS; ++e) x[e] = 1.0f;
    CHECK_OK(dni_model_reserve(m, 64, &err), &err);
    mask_at(m, x, 64, 0, 9, k64);
    mask_at(m, x, 32, 0, 9, k32);
    CHECK_MSG(memcmp(k32, k64, 32 * COLS) == 0, "element e of a 32-row batch differs from element "
              "e of a 64-row batch at the same step");
    mask_at(m, x, 33, 0, 9, k32);
    CHECK(memcmp(k32, k64, 33 * COLS) == 0);
done:
    free(x);
    free(k64);
    free(k32);
    dn_model_free(m);
}

TEST(dropout_mask_follows_documented_philox_rule) {
    /* Dropout at layer 1 (after a dense layer), a seed and a step with high bits set. */
    enum { IN = 5, UNITS = 8, ROWS = 64 };
    const uint64_t seed = 0x123456789ABCDEF0ull, step = 0x100000005ull;
    const float rate = 0.3f;
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, IN, &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_add_dense(m, UNITS, DN_ACT_SIGMOID, NULL, &err), &err);
    CHECK_OK(dn_model_add_dropout(m, rate, &err), &err);
    CHECK_OK(dn_model_add_dense(m, 2, DN_ACT_SOFTMAX, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, seed, &err), &err);
    CHECK_OK(dni_model_reserve(m, ROWS, &err), &err);
    float x[ROWS * IN];
    for (size_t e = 0; e < ROWS * IN; ++e) x[e] = (float)cos((double)e);
    uint8_t keep[ROWS * UNITS];
    size_t dropped = mask_at(m, x, ROWS, 1, step, keep);
    size_t mismatches = 0, expected_dropped = 0;
    for (size_t e = 0; e < ROWS * UNITS; ++e) {
        int want = documented_keep(seed, 1, step, e, rate);
        mismatches += keep[e] != want;
        expected_dropped += !want;
    }
    CHECK_MSG(mismatches == 0, "%zu of %d mask bits differ from the documented Philox rule",
              mismatches, ROWS * UNITS);
    CHECK(dropped == expected_dropped);
    /* Every output is keep ? sigmoid(z)·(1/0.7) : 0, the input being layer 0's output. */
    const float *in = dn_model_activation(m, 1, NULL, NULL);
    const float *y = dn_model_activation(m, 2, NULL, NULL);
    float scale = (float)(1.0 / (1.0 - (double)rate));
    size_t bad = 0;
    for (size_t e = 0; in != NULL && y != NULL && e < ROWS * UNITS; ++e)
        bad += y[e] != (keep[e] ? in[e] * scale : 0.0f);
    CHECK(in != NULL && y != NULL && bad == 0);
    dn_model_free(m);
}

/* Word e%4 of the documented Philox block for dropout layer `layer` (see documented_keep). */
static uint32_t documented_word(uint64_t seed, uint32_t layer, uint64_t step, uint64_t e) {
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t counter[4] = {(uint32_t)(e / 4), ((uint32_t)DN_RNG_DROPOUT << 16) | layer,
                           (uint32_t)step, (uint32_t)(step >> 32)};
    uint32_t out[4];
    dn_philox4x32_10(counter, key, out);
    return out[e % 4];
}

/* The threshold is round(rate·2^32), exactly: rates that are multiples of 2^-32 give their own
 * numerator, and 0.3f gives llround(0.3f·2^32). */
TEST(dropout_threshold_is_rate_times_2_to_the_32_rounded) {
    CHECK(dni_rng_drop_threshold(0.0f) == 0);
    CHECK(dni_rng_drop_threshold(0.5f) == 0x80000000u);
    CHECK(dni_rng_drop_threshold(0.25f) == 0x40000000u);
    CHECK(dni_rng_drop_threshold(0.75f) == 0xC0000000u);
    CHECK(dni_rng_drop_threshold(0x1.23456p-4f) == 0x12345600u); /* 0x123456·2^-24 */
    CHECK(dni_rng_drop_threshold(0.3f) == (uint32_t)llround((double)0.3f * 4294967296.0));
    CHECK(dni_rng_drop_threshold(0.1f) == (uint32_t)llround((double)0.1f * 4294967296.0));
}

/* The boundary of the rule, on both paths (a 70-wide row: elements 0-63 are one whole chunk, the
 * AVX-512 path where the CPU has it; 64-69 the portable tail): an element whose word equals the
 * threshold is kept. Rates w/2^32 are exact floats when w's low 8 bits are 0, so steps are searched
 * for such words (one element in 256 has them). */
TEST(dropout_word_equal_to_the_threshold_is_kept) {
    enum { COLS = 70 };
    const uint64_t seed = 77;
    int found[2] = {0, 0}; /* [vector chunk, portable tail] */
    float x[COLS];
    for (size_t e = 0; e < COLS; ++e) x[e] = 1.0f;
    for (uint64_t step = 1; step < 100000 && !(found[0] && found[1]); ++step) {
        for (size_t e = 0; e < COLS; ++e) {
            uint32_t w = documented_word(seed, 0, step, e);
            int tail = e >= 64;
            if (found[tail] || (w & 0xFFu) != 0 || w < 0x01000000u) continue;
            float rate = (float)((double)w / 4294967296.0);
            CHECK((double)rate * 4294967296.0 == (double)w); /* exact */
            dn_model *m = dropout_model(COLS, rate, seed);
            uint8_t keep[COLS];
            if (m != NULL) {
                mask_at(m, x, 1, 0, step, keep);
                CHECK_MSG(keep[e] == 1, "step %llu element %zu: word %#x = threshold, dropped",
                          (unsigned long long)step, e, w);
                /* The rest of the row follows the rule too (words below the threshold dropped). */
                for (size_t k = 0; k < COLS; ++k)
                    CHECK(keep[k] == (documented_word(seed, 0, step, k) >= w));
            }
            dn_model_free(m);
            found[tail] = 1;
        }
    }
    CHECK(found[0] && found[1]);
}

TEST(dropout_rate_validation) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, 4, &err), &err);
    if (m == NULL) return;
    const float bad[] = {1.0f, 1.5f, -0.1f, -1e-30f, NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        memset(&err, 0, sizeof err);
        dn_status st = dn_model_add_dropout(m, bad[i], &err);
        CHECK_MSG(st == DN_ERR_ARGUMENT, "rate %g: status %d", (double)bad[i], (int)st);
        CHECK_MSG(err.status == st && strstr(err.message, "[0, 1)") != NULL,
                  "rate %g: message '%s' does not give the range [0, 1)", (double)bad[i],
                  err.message);
    }
    CHECK(dn_model_layer_count(m) == 0);
    CHECK_OK(dn_model_add_dropout(m, 0.0f, &err), &err);
    CHECK_OK(dn_model_add_dropout(m, 0.999f, &err), &err);
    CHECK(dn_model_layer_count(m) == 2);
    dn_layer_info info;
    CHECK_OK(dn_model_layer_info(m, 1, &info, &err), &err);
    CHECK(info.kind == DN_LAYER_DROPOUT && info.rate == 0.999f && info.inputs == 4 &&
          info.outputs == 4 && info.param_count == 0 && strcmp(info.name, "dropout_1") == 0);
    CHECK_OK(dn_model_add_dense(m, 2, DN_ACT_SOFTMAX, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 1, &err), &err);
    CHECK(dn_model_add_dropout(m, 0.5f, &err) == DN_ERR_STATE);
    dn_model_free(m);
}

/* Batch-mean loss after a forward pass in training mode at `step` over m->input. */
static double loss_at(dn_model *m, size_t rows, uint64_t step) {
    const dn_layer *last = &m->layers[m->layer_count - 1];
    dni_model_run(m, rows, DN_MODE_TRAINING, step);
    double sum = 0.0, correct = 0.0;
    dni_loss_batch(m->loss, last->activation, last->pre, last->y, rows, rows, last->out, m->batch_labels,
                   m->batch_targets, m->loss_grad, &sum, &correct);
    return sum / (double)rows;
}

TEST(dropout_input_gradient_at_fixed_step) {
    /* Dense(6, linear) with W = I, b = 0 feeds the batch unchanged to Dropout(0.5), so the dropout
     * layer's input gradient d_in must equal dL/dx, which central differences of the input give.
     * Bound: |a − n| ≤ 1e-2·max(1e-2, |a| + |n|), h = 1e-2 (see test_dense.c). */
    enum { W = 6, ROWS = 4 };
    const uint64_t step = 4;
    dn_model *m = NULL;
    dn_dataset *d = NULL;
    dn_error err;
    float x[ROWS * W];
    int32_t labels[ROWS] = {0, 2, 1, 2};
    for (size_t e = 0; e < ROWS * W; ++e) x[e] = (float)(1.2 * sin(0.8 * (double)e + 0.2));
    CHECK_OK(dn_dataset_create_classification(&d, ROWS, W, x, labels, 3, &err), &err);
    CHECK_OK(dn_model_create(&m, W, &err), &err);
    if (m == NULL || d == NULL) goto done;
    CHECK_OK(dn_model_add_dense(m, W, DN_ACT_LINEAR, NULL, &err), &err);
    CHECK_OK(dn_model_add_dropout(m, 0.5f, &err), &err);
    CHECK_OK(dn_model_add_dense(m, 3, DN_ACT_SOFTMAX, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 21, &err), &err);
    if (m->params == NULL) goto done;
    memset(m->params, 0, (W * W + W) * sizeof(float));
    for (size_t i = 0; i < W; ++i) m->params[i * W + i] = 1.0f;

    size_t index[ROWS] = {0, 1, 2, 3};
    dni_model_load_batch(m, d, index, ROWS);
    loss_at(m, ROWS, step);
    dni_model_backprop(m, ROWS, 1);
    const dn_layer *drop = &m->layers[1], *top = &m->layers[2];
    CHECK(drop->d_in != NULL && top->d_in != NULL);
    if (drop->d_in == NULL || top->d_in == NULL) goto done;
    uint8_t keep[ROWS * W];
    size_t dropped = 0;
    CHECK_OK(dn_model_dropout_mask(m, 1, keep, &dropped, &err), &err);
    CHECK(dropped > 0 && dropped < ROWS * W);
    float analytic[ROWS * W];
    memcpy(analytic, drop->d_in, sizeof analytic);
    /* Passes only through kept units, scaled by exactly 2. */
    for (size_t e = 0; e < ROWS * W; ++e)
        CHECK_MSG(analytic[e] == (keep[e] ? 2.0f * top->d_in[e] : 0.0f),
                  "d_in[%zu] = %g, upstream %g, kept %d", e, (double)analytic[e],
                  (double)top->d_in[e], keep[e]);
    size_t nonzero = 0;
    for (size_t e = 0; e < ROWS * W; ++e) {
        float saved = m->input[e];
        m->input[e] = saved + 1e-2f;
        double hi = m->input[e], up = loss_at(m, ROWS, step);
        m->input[e] = saved - 1e-2f;
        double lo = m->input[e], down = loss_at(m, ROWS, step);
        m->input[e] = saved;
        double numeric = (up - down) / (hi - lo), a = analytic[e];
        CHECK_MSG(fabs(a - numeric) <= 1e-2 * fmax(1e-2, fabs(a) + fabs(numeric)),
                  "dL/dx[%zu]: analytic %.7g, numeric %.7g (kept %d)", e, a, numeric, keep[e]);
        /* A dropped unit's input does not reach the loss at all. */
        if (!keep[e]) CHECK_MSG(numeric == 0.0, "dL/dx[%zu] = %g through a dropped unit", e, numeric);
        nonzero += fabs(numeric) > 1e-3;
    }
    CHECK(nonzero * 2 >= ROWS * W - dropped); /* the check is not vacuous */
done:
    dn_model_free(m);
    dn_dataset_free(d);
}

typedef struct fit_masks {
    dn_model *model; /* the model being trained */
    uint64_t seed;
    size_t batches, mismatches, rows_seen;
    uint8_t keep[32 * 10];
} fit_masks;

/* At every batch end: the mask fit used equals the documented one at the step just taken. */
static int fit_mask_callback(const dn_event *ev, void *user) {
    fit_masks *fm = user;
    if (ev->kind != DN_EVENT_BATCH_END) return 0;
    dn_error err;
    size_t dropped = 0;
    if (dn_model_dropout_mask(fm->model, 0, fm->keep, &dropped, &err) != DN_OK) {
        fm->mismatches++;
        return 0;
    }
    /* The step counter has advanced past the batch just trained. */
    uint64_t step = dn_model_step(fm->model) - 1;
    CHECK(step == fm->batches);
    for (size_t e = 0; e < ev->batch_rows * 10; ++e)
        fm->mismatches += fm->keep[e] != documented_keep(fm->seed, 0, step, e, 0.4f);
    fm->batches++;
    fm->rows_seen += ev->batch_rows;
    return 0;
}

TEST(dropout_fit_masks_follow_training_step) {
    dn_model *m = NULL;
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&d, 100, 10, 3, 5, &err), &err);
    CHECK_OK(dn_model_create(&m, 10, &err), &err);
    if (m == NULL || d == NULL) goto done;
    CHECK_OK(dn_model_add_dropout(m, 0.4f, &err), &err);
    CHECK_OK(dn_model_add_dense(m, 3, DN_ACT_SOFTMAX, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 77, &err), &err);
    fit_masks fm = {m, 77, 0, 0, 0, {0}};
    dn_fit_config cfg = dn_fit_defaults();
    cfg.epochs = 2;
    CHECK_OK(dn_model_fit(m, d, &cfg, fit_mask_callback, &fm, NULL, &err), &err);
    CHECK(fm.batches == 8);   /* 4 batches (32, 32, 32, 4) per epoch, steps 0..7 */
    CHECK(fm.rows_seen == 200);
    CHECK_MSG(fm.mismatches == 0, "%zu mask bits in fit differ from the documented rule at the "
              "training step", fm.mismatches);
    CHECK(dn_model_step(m) == 8);
done:
    dn_model_free(m);
    dn_dataset_free(d);
}
