/* test_family_layers.c — the dropout family's layers and activations (docs/DROPOUT_FAMILY.md).
 *
 * Forward values worked by hand; gradients against central differences at a fixed training step
 * (masks and noise are functions of (seed, layer, step, element), so the loss is a smooth
 * function of the parameters); statistics over 10^6 elements; identity at inference and at
 * rate 0; reproducibility; spec round trips and errors.
 *
 * Statistical bounds (n = 10^6 independent elements):
 *   alpha dropout, rate 0.2, x ~ N(0, 1): mean of y, σ = 1/√n = 1e-3, bound 5e-3; variance of y,
 *     σ ≈ √(Var y²/n) ≲ 2.2e-3 (y is a mixture with kurtosis below 5), bound 0.012;
 *     dropped fraction σ = 4e-4, bound 0.003.
 *   gaussian dropout, rate 0.2 (σ² = 0.25): mean of m = y/x, σ = 5e-4, bound 2.5e-3; variance of
 *     m, σ = 0.25·√(2/n) = 3.5e-4, bound 2e-3.
 *   gaussian noise, stddev 0.5: mean of y − x, σ = 5e-4, bound 2.5e-3; variance 0.25 ± 2e-3.
 *   DropConnect, rate 0.5 over 10^6 weights: dropped fraction σ = 5e-4, bound 0.003.
 * Gradient bound as tests/test_dense.c: |a − n| ≤ 1e-2·max(1e-2, |a| + |n|), h = 1e-2. */
#include "test.h"

#include "core/rng.h"
#include "dropnet.h"
#include "kernels/activation.h"
#include "model/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { BIG_COLS = 31250, BIG_ROWS = 32, BIG_N = BIG_COLS * BIG_ROWS }; /* 10^6 elements */

/* ------------------------------------------------------------------------------------------ */
/* Activations                                                                                 */
/* ------------------------------------------------------------------------------------------ */

TEST(family_activation_values_by_hand) {
    const float z[4] = {1.0f, -1.0f, 0.5f, -2.0f};
    float y[4];
    /* selu(1) = λ; selu(−1) = λα(e^−1 − 1) = 1.7580993408·(−0.6321205588) */
    dni_activation_forward(DN_ACT_SELU, z, y, 1, 4, 1);
    CHECK_NEAR(y[0], 1.0507009873554805, 1e-6);
    CHECK_NEAR(y[1], -1.1113307378125625, 1e-6);
    /* elu(−1) = e^−1 − 1 */
    dni_activation_forward(DN_ACT_ELU, z, y, 1, 4, 1);
    CHECK_NEAR(y[0], 1.0, 0.0);
    CHECK_NEAR(y[1], -0.6321205588285577, 1e-6);
    /* gelu(1) = Φ(1) = 0.8413447461; gelu(−1) = −Φ(−1); gelu(0.5) = 0.5·Φ(0.5) */
    dni_activation_forward(DN_ACT_GELU, z, y, 1, 4, 1);
    CHECK_NEAR(y[0], 0.8413447460685429, 1e-6);
    CHECK_NEAR(y[1], -0.15865525393145707, 1e-6);
    CHECK_NEAR(y[2], 0.34573123063700656, 1e-6);
    /* leaky_relu: slope 0.3 below 0 (Keras 2) */
    dni_activation_forward(DN_ACT_LEAKY_RELU, z, y, 1, 4, 1);
    CHECK(y[0] == 1.0f && y[2] == 0.5f);
    CHECK_NEAR(y[1], -0.3, 1e-7);
    CHECK_NEAR(y[3], -0.6, 1e-7);
    dn_activation parsed;
    CHECK(dn_activation_parse("leaky_relu", &parsed, NULL) == DN_OK && parsed == DN_ACT_LEAKY_RELU);
    CHECK(strcmp(dn_activation_name(DN_ACT_GELU), "gelu") == 0);
}

/* The derivative each backward applies, against (f(z + h) − f(z − h)) / 2h of the forward. */
TEST(family_activation_derivatives_by_central_difference) {
    const dn_activation acts[] = {DN_ACT_SELU, DN_ACT_ELU, DN_ACT_GELU, DN_ACT_LEAKY_RELU};
    const float zs[] = {-3.0f, -1.2f, -0.4f, 0.3f, 0.9f, 2.5f};
    for (size_t a = 0; a < 4; ++a) {
        for (size_t i = 0; i < sizeof zs / sizeof zs[0]; ++i) {
            float z = zs[i], y, g = 1.0f, h = 1e-2f, zp = z + h, zm = z - h, yp, ym;
            dni_activation_forward(acts[a], &z, &y, 1, 1, 1);
            dni_activation_backward(acts[a], &z, &y, &g, 1, 1, 1);
            dni_activation_forward(acts[a], &zp, &yp, 1, 1, 1);
            dni_activation_forward(acts[a], &zm, &ym, 1, 1, 1);
            double numeric = ((double)yp - ym) / ((double)zp - zm);
            CHECK_MSG(fabs(g - numeric) <= 1e-3 * fmax(1.0, fabs(numeric)),
                      "%s'(%g) = %.7g, numeric %.7g", dn_activation_name(acts[a]), (double)z,
                      (double)g, numeric);
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Gradient checks through whole models                                                        */
/* ------------------------------------------------------------------------------------------ */

enum { GC_INPUTS = 4, GC_ROWS = 6 };

static float gc_x(size_t r, size_t i) {
    return (float)(1.5 * sin(1.37 * (double)r + 2.11 * (double)i + 0.3 * (double)(r * i) + 0.4));
}

static double gc_loss(dn_model *m, uint64_t step) {
    const dn_layer *last = &m->layers[m->layer_count - 1];
    dni_model_run(m, GC_ROWS, DN_MODE_TRAINING, step);
    double sum = 0.0, correct = 0.0;
    dni_loss_batch(m->loss, last->activation, last->pre, last->y, GC_ROWS, GC_ROWS, last->out,
                   m->batch_labels, m->batch_targets, m->loss_grad, &sum, &correct);
    return sum / GC_ROWS;
}

/* Central differences of the batch-mean cross-entropy for every parameter of `spec` (smooth
 * activations only) at training step `step`, against one backward pass. */
static void gradient_check(const char *spec, uint64_t step) {
    float x[GC_ROWS * GC_INPUTS];
    int32_t labels[GC_ROWS];
    for (size_t r = 0; r < GC_ROWS; ++r) {
        labels[r] = (int32_t)((r * 2 + 1) % 3);
        for (size_t i = 0; i < GC_INPUTS; ++i) x[r * GC_INPUTS + i] = gc_x(r, i);
    }
    dn_dataset *d = NULL;
    dn_model *m = NULL;
    dn_error err;
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    CHECK_OK(dn_dataset_create_classification(&d, GC_ROWS, GC_INPUTS, x, labels, 3, &err), &err);
    CHECK_OK(dn_model_from_spec(&m, GC_INPUTS, spec, &err), &err);
    if (m != NULL)
        CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 11, &err), &err);
    if (d == NULL || m == NULL || !m->compiled) goto done;
    size_t index[GC_ROWS];
    for (size_t r = 0; r < GC_ROWS; ++r) index[r] = r;
    dni_model_load_batch(m, d, index, GC_ROWS);
    double base = gc_loss(m, step);
    dni_model_backprop(m, GC_ROWS, 1);
    size_t failures = 0, nonzero = 0;
    for (size_t p = 0; p < m->param_count; ++p) {
        double a = m->grads[p];
        float saved = m->params[p];
        m->params[p] = saved + 1e-2f;
        double hi = m->params[p], up = gc_loss(m, step);
        m->params[p] = saved - 1e-2f;
        double lo = m->params[p], down = gc_loss(m, step);
        m->params[p] = saved;
        double numeric = (up - down) / (hi - lo);
        if (!(fabs(a - numeric) <= 1e-2 * fmax(1e-2, fabs(a) + fabs(numeric))) && ++failures <= 4)
            CHECK_MSG(0, "%s: d loss / d param %zu analytic %.7g, numeric %.7g", spec, p, a, numeric);
        nonzero += fabs(numeric) > 1e-4;
    }
    CHECK_MSG(failures == 0, "%s: %zu of %zu gradients disagree", spec, failures, m->param_count);
    CHECK_MSG(nonzero * 3 >= m->param_count, "%s: degenerate gradient", spec);
    CHECK(gc_loss(m, step) == base);
done:
    dn_model_free(m);
    dn_dataset_free(d);
}

TEST(family_gradients_through_noise_layers_and_dropconnect) {
    gradient_check("dense:5:selu,alpha_dropout:0.3,dense:3:softmax", 7);
    gradient_check("alpha_dropout:0.2,dense:5:selu,dense:3:softmax", 2);
    gradient_check("dense:5:tanh,gaussian_dropout:0.4,dense:3:softmax", 5);
    gradient_check("gaussian_noise:0.5,dense:5:gelu,gaussian_noise:0.3,dense:3:linear", 3);
    gradient_check("dense:5:elu:dropconnect=0.5,dense:3:softmax:dropconnect=0.3", 4);
    gradient_check("dense:5:tanh,dense:4:sigmoid:dropconnect=0.4,dense:3:softmax", 9);
}

/* ------------------------------------------------------------------------------------------ */
/* Noise layers: values, statistics, identity, reproducibility                                 */
/* ------------------------------------------------------------------------------------------ */

/* `layer` (a spec) over `cols` inputs, then dense:1 so the model compiles. */
static dn_model *noise_model(const char *layer, size_t cols, uint64_t seed) {
    char spec[64];
    snprintf(spec, sizeof spec, "%s,dense:1", layer);
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, cols, spec, &err), &err);
    if (m == NULL) return NULL;
    if (dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, NULL, seed, &err) != DN_OK) {
        CHECK_MSG(0, "compile: %s", err.message);
        dn_model_free(m);
        return NULL;
    }
    return m;
}

/* The noise layer's output after one forward pass. */
static const float *noise_forward(dn_model *m, const float *x, size_t rows, dn_mode mode,
                                  uint64_t step) {
    dn_error err;
    CHECK_OK(dn_model_forward(m, x, rows, mode, step, NULL, &err), &err);
    return dn_model_activation(m, 1, NULL, NULL);
}

TEST(family_alpha_dropout_values_by_hand) {
    /* rate 0.2: α' = −1.7580993408, a = ((0.8)(1 + 0.2·α'²))^−½ = 0.8789035834,
     * b = −a·α'·0.2 = 0.3090399621; dropped → a·α' + b = −1.2361598486. */
    dn_model *m = noise_model("alpha_dropout:0.2", 64, 3);
    if (m == NULL) return;
    CHECK_NEAR(m->layers[0].alpha_a, 0.8789035834435328, 1e-7);
    CHECK_NEAR(m->layers[0].alpha_b, 0.30903996214409446, 1e-7);
    float x[64];
    uint8_t keep[64];
    for (size_t e = 0; e < 64; ++e) x[e] = e % 2 ? 1.5f : -0.5f;
    const float *y = noise_forward(m, x, 1, DN_MODE_TRAINING, 5);
    dn_error err;
    size_t dropped = 0;
    CHECK_OK(dn_model_dropout_mask(m, 0, keep, &dropped, &err), &err);
    CHECK(dropped > 0 && dropped < 64);
    for (size_t e = 0; y && e < 64; ++e) {
        double want = !keep[e] ? -1.2361598485763778 : e % 2 ? 1.6273953373093937 : -0.13041182957767194;
        CHECK_NEAR(y[e], want, 1e-6);
    }
    /* The mask is the dropout rule of the DROPOUT stream of this layer. */
    for (size_t e = 0; e < 64; ++e) {
        uint32_t word = dni_rng_u32(&(dn_rng_stream){{3u, 0u},
                                    ((uint32_t)DN_RNG_DROPOUT << 16) | 0u, 0},
                                   5, e);
        CHECK(keep[e] == (word >= dni_rng_drop_threshold(0.2f)));
    }
    dn_model_free(m);
}

/* Standard normal inputs (Box-Muller on the test's own stream). */
static void normal_inputs(float *x, size_t n) {
    dn_rng_stream s = dni_rng_stream_make(99, DN_RNG_DATA, 7);
    for (size_t e = 0; e < n; ++e) x[e] = (float)dni_rng_normal(&s, 0, e);
}

static void mean_var(const float *v, size_t n, double *mean, double *var) {
    double s = 0.0, s2 = 0.0;
    for (size_t e = 0; e < n; ++e) s += v[e];
    *mean = s / (double)n;
    for (size_t e = 0; e < n; ++e) s2 += (v[e] - *mean) * (v[e] - *mean);
    *var = s2 / (double)n;
}

TEST(family_noise_layers_keep_mean_and_variance) {
    float *x = malloc(BIG_N * sizeof *x), *r = malloc(BIG_N * sizeof *r);
    if (x == NULL || r == NULL) goto done;
    normal_inputs(x, BIG_N);
    double mean, var;

    dn_model *m = noise_model("alpha_dropout:0.2", BIG_COLS, 42);
    const float *y = m ? noise_forward(m, x, BIG_ROWS, DN_MODE_TRAINING, 1) : NULL;
    if (y != NULL) {
        mean_var(y, BIG_N, &mean, &var);
        double x_mean, x_var;
        mean_var(x, BIG_N, &x_mean, &x_var);
        CHECK_NEAR(x_mean, 0.0, 5e-3);
        CHECK_NEAR(x_var, 1.0, 0.012);
        CHECK_NEAR(mean, 0.0, 5e-3);
        CHECK_NEAR(var, 1.0, 0.012);
        size_t dropped = 0;
        float dropped_value = m->layers[0].alpha_a * -1.7580993408473766f + m->layers[0].alpha_b;
        for (size_t e = 0; e < BIG_N; ++e) dropped += y[e] == dropped_value;
        CHECK_NEAR((double)dropped / BIG_N, 0.2, 0.003);
    }
    dn_model_free(m);

    /* Gaussian dropout on positive inputs: m = y/x has mean 1 and variance rate/(1 − rate). */
    for (size_t e = 0; e < BIG_N; ++e) x[e] = 0.25f + (float)(e % 1013) * (3.0f / 1013.0f);
    m = noise_model("gaussian_dropout:0.2", BIG_COLS, 42);
    y = m ? noise_forward(m, x, BIG_ROWS, DN_MODE_TRAINING, 1) : NULL;
    if (y != NULL) {
        for (size_t e = 0; e < BIG_N; ++e) r[e] = y[e] / x[e];
        mean_var(r, BIG_N, &mean, &var);
        CHECK_NEAR(mean, 1.0, 2.5e-3);
        CHECK_NEAR(var, 0.25, 2e-3);
    }
    dn_model_free(m);

    m = noise_model("gaussian_noise:0.5", BIG_COLS, 42);
    y = m ? noise_forward(m, x, BIG_ROWS, DN_MODE_TRAINING, 1) : NULL;
    if (y != NULL) {
        for (size_t e = 0; e < BIG_N; ++e) r[e] = y[e] - x[e];
        mean_var(r, BIG_N, &mean, &var);
        CHECK_NEAR(mean, 0.0, 2.5e-3);
        CHECK_NEAR(var, 0.25, 2e-3);
    }
    dn_model_free(m);
done:
    CHECK(x != NULL && r != NULL);
    free(x);
    free(r);
}

TEST(family_noise_layers_identity_at_inference_and_rate_0) {
    const char *const noisy[] = {"alpha_dropout:0.3", "gaussian_dropout:0.3", "gaussian_noise:0.7"};
    const char *const silent[] = {"alpha_dropout:0", "gaussian_dropout:0", "gaussian_noise:0"};
    float x[96];
    for (size_t e = 0; e < 96; ++e) x[e] = (float)sin(0.7 * (double)e) * 3.0f;
    for (size_t k = 0; k < 3; ++k) {
        dn_model *m = noise_model(noisy[k], 32, 8);
        const float *y = m ? noise_forward(m, x, 3, DN_MODE_INFERENCE, 0) : NULL;
        CHECK_MSG(y && memcmp(y, x, sizeof x) == 0, "%s is not the identity at inference", noisy[k]);
        y = m ? noise_forward(m, x, 3, DN_MODE_TRAINING, 4) : NULL;
        CHECK_MSG(y && memcmp(y, x, sizeof x) != 0, "%s changed nothing while training", noisy[k]);
        dn_model_free(m);
        m = noise_model(silent[k], 32, 8);
        y = m ? noise_forward(m, x, 3, DN_MODE_TRAINING, 4) : NULL;
        CHECK_MSG(y && memcmp(y, x, sizeof x) == 0, "%s is not the identity", silent[k]);
        dn_model_free(m);
    }
}

TEST(family_noise_is_reproducible_and_thread_independent) {
    const char *const layers[] = {"alpha_dropout:0.3", "gaussian_dropout:0.3", "gaussian_noise:0.7"};
    enum { COLS = BIG_COLS / 4, N = BIG_ROWS * COLS };
    float *x = malloc(N * sizeof *x), *first = malloc(N * sizeof *first);
    if (x == NULL || first == NULL) goto done;
    normal_inputs(x, N);
    for (size_t k = 0; k < 3; ++k) {
        dn_model *m = noise_model(layers[k], COLS, 5);
        if (m == NULL) continue;
        dn_error err;
        CHECK_OK(dn_model_set_threads(m, 1, &err), &err);
        const float *y = noise_forward(m, x, BIG_ROWS, DN_MODE_TRAINING, 9);
        if (y) memcpy(first, y, N * sizeof *first);
        CHECK_OK(dn_model_set_threads(m, 2, &err), &err);
        y = noise_forward(m, x, BIG_ROWS, DN_MODE_TRAINING, 9);
        CHECK_MSG(y && memcmp(y, first, N * sizeof *first) == 0, "%s: 1 vs 2 threads", layers[k]);
        y = noise_forward(m, x, BIG_ROWS, DN_MODE_TRAINING, 10);
        CHECK_MSG(y && memcmp(y, first, N * sizeof *first) != 0, "%s: step 10 = step 9", layers[k]);
        dn_model_free(m);
    }
done:
    CHECK(x != NULL && first != NULL);
    free(x);
    free(first);
}

/* ------------------------------------------------------------------------------------------ */
/* DropConnect                                                                                 */
/* ------------------------------------------------------------------------------------------ */

TEST(family_dropconnect_forward_by_hand_and_one_mask_per_batch) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 3, "dense:2:linear:dropconnect=0.5", &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, NULL, 21, &err), &err);
    float *p = dn_model_params(m);
    const float w[8] = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.05f, -0.1f}; /* W [3×2], b [2] */
    memcpy(p, w, sizeof w);
    /* Two identical rows: one mask per batch gives them identical outputs. */
    const float x[6] = {1.0f, 2.0f, 3.0f, 1.0f, 2.0f, 3.0f};
    float out[4];
    CHECK_OK(dn_model_forward(m, x, 2, DN_MODE_TRAINING, 6, out, &err), &err);
    CHECK(out[0] == out[2] && out[1] == out[3]);
    /* By hand: y_j = b_j + Σ_i x_i·W_ij·keep_ij·2 with the mask the layer kept. */
    const uint32_t *bits = m->layers[0].connect_bits;
    for (size_t j = 0; j < 2; ++j) {
        double want = w[6 + j];
        for (size_t i = 0; i < 3; ++i) want += x[i] * w[i * 2 + j] * 2.0 * dni_mask_kept(bits,
                                                                                         i * 2 + j);
        CHECK_NEAR(out[j], want, 1e-6);
    }
    /* Inference: the mean network, y = x·W + b = (−0.75, 2.3) as in tests/test_dense.c. */
    CHECK_OK(dn_model_forward(m, x, 1, DN_MODE_INFERENCE, 0, out, &err), &err);
    CHECK_NEAR(out[0], -1.0 + 0.05 + 0.2, 1e-6); /* 0.1 + 0.6 − 1.5 + 0.05 = −0.75 */
    CHECK_NEAR(out[1], 2.3, 1e-6);
    dn_dense_options o;
    CHECK_OK(dn_model_dense_options(m, 0, &o, &err), &err);
    CHECK(o.dropconnect == 0.5f && o.initializer == DN_INIT_GLOROT_UNIFORM);
    dn_model_free(m);
}

/* The keep decision of DropConnect weight e documented in dropnet.h (dn_dense_options), from
 * dn_philox4x32_10 alone: key (seed lo, seed hi), counter (e/4, DROPCONNECT << 16 | layer, step
 * lo, step hi), word e%4; dropped ⇔ word < round(rate·2^32). */
static int dropconnect_documented_keep(uint64_t seed, uint32_t layer, uint64_t step, uint64_t e,
                                       float rate) {
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t counter[4] = {(uint32_t)(e / 4), ((uint32_t)DN_RNG_DROPCONNECT << 16) | layer,
                           (uint32_t)step, (uint32_t)(step >> 32)};
    uint32_t out[4];
    dn_philox4x32_10(counter, key, out);
    return (uint64_t)out[e % 4] >= (uint64_t)llround((double)rate * 4294967296.0);
}

/* At rate 0.3 (where keep and drop cannot be swapped unnoticed, unlike 0.5), in layer 1, at two
 * steps with high bits set: every mask bit follows the documented rule, each output is
 * b + Σ a·W·keep/0.7 with the documented keep (not the layer's own bits), and the mask of the
 * next step is a new draw. */
TEST(family_dropconnect_mask_follows_documented_philox_rule_each_step) {
    enum { IN = 4, HIDDEN = 5, OUT = 40, W = HIDDEN * OUT };
    const uint64_t seed = 0x0123456789ABCDEFull, step = 0x100000007ull;
    const float rate = 0.3f;
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, IN, "dense:5:tanh,dense:40:linear:dropconnect=0.3", &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, NULL, seed, &err), &err);
    const float x[IN] = {0.5f, -1.0f, 2.0f, 0.25f};
    float y[OUT];
    uint8_t previous[W];
    for (uint64_t s = step; s <= step + 1; ++s) {
        CHECK_OK(dn_model_forward(m, x, 1, DN_MODE_TRAINING, s, y, &err), &err);
        const uint32_t *bits = m->layers[1].connect_bits;
        const float *a = dn_model_activation(m, 1, NULL, NULL);
        const float *p = dn_model_params(m) + m->layers[1].param_offset;
        size_t mismatches = 0, dropped = 0, changed = 0, bad = 0;
        uint8_t keep[W];
        for (size_t e = 0; e < W; ++e) {
            keep[e] = (uint8_t)dropconnect_documented_keep(seed, 1, s, e, rate);
            mismatches += keep[e] != (uint8_t)dni_mask_kept(bits, e);
            dropped += !keep[e];
            if (s > step) changed += keep[e] != previous[e];
        }
        CHECK_MSG(mismatches == 0, "step %#llx: %zu of %d DropConnect bits differ from the "
                  "documented rule", (unsigned long long)s, mismatches, W);
        CHECK_MSG(dropped > W / 10 && dropped < W / 2, "step %#llx: %zu of %d dropped at rate 0.3",
                  (unsigned long long)s, dropped, W);
        for (size_t j = 0; a != NULL && j < OUT; ++j) {
            double want = p[W + j];
            for (size_t i = 0; i < HIDDEN; ++i)
                want += (double)a[i] * p[i * OUT + j] * keep[i * OUT + j] / (1.0 - (double)rate);
            bad += !(fabs(y[j] - want) <= 1e-5 * (1.0 + fabs(want)));
        }
        CHECK_MSG(a != NULL && bad == 0, "step %#llx: %zu of %d outputs differ from b + Σ a·W·keep/0.7",
                  (unsigned long long)s, bad, OUT);
        if (s > step)
            CHECK_MSG(changed > W / 10, "the mask of step+1 repeats step's (%zu of %d bits differ)",
                      changed, W);
        memcpy(previous, keep, sizeof previous);
    }
    dn_model_free(m);
}

TEST(family_dropconnect_drops_the_rate_of_weights) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 1000, "dense:1000:relu:dropconnect=0.5", &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, NULL, 4, &err), &err);
    float *x = calloc(1000, sizeof *x);
    if (x != NULL) {
        CHECK_OK(dn_model_forward(m, x, 1, DN_MODE_TRAINING, 3, NULL, &err), &err);
        size_t kept = 0;
        for (size_t e = 0; e < 1000000; ++e)
            kept += (size_t)dni_mask_kept(m->layers[0].connect_bits, e);
        CHECK_NEAR((double)kept / 1e6, 0.5, 0.003);
    }
    free(x);
    dn_model_free(m);
}

/* ------------------------------------------------------------------------------------------ */
/* Specs                                                                                       */
/* ------------------------------------------------------------------------------------------ */

TEST(family_spec_round_trip_and_errors) {
    const char *canonical = "dense:8:selu,alpha_dropout:0.1,dense:8:relu:init=he_normal:"
                            "dropconnect=0.25,gaussian_dropout:0.3,gaussian_noise:0.5,dense:8:"
                            "selu:init=glorot_uniform,dense:3:softmax:init=lecun_normal";
    dn_model *m = NULL;
    dn_error err;
    char buf[512];
    CHECK_OK(dn_model_from_spec(&m, 4, canonical, &err), &err);
    CHECK(dn_model_spec(m, buf, sizeof buf) == strlen(canonical) && strcmp(buf, canonical) == 0);
    dn_layer_info info;
    CHECK_OK(dn_model_layer_info(m, 4, &info, &err), &err);
    CHECK(info.kind == DN_LAYER_GAUSSIAN_NOISE && info.rate == 0.5f &&
          strcmp(info.name, "gaussian_noise") == 0);
    dn_model_free(m);
    /* Defaults are not printed; options may come without an activation. */
    CHECK_OK(dn_model_from_spec(&m, 4, "dense:8:selu:init=lecun_normal,dense:3:dropconnect=0", &err), &err);
    dn_model_spec(m, buf, sizeof buf);
    CHECK_MSG(strcmp(buf, "dense:8:selu,dense:3:linear") == 0, "got %s", buf);
    dn_model_free(m);
    const struct {
        const char *spec, *message;
    } bad[] = {
        {"dense:4:relu:init=foo", "column 19: unknown initializer \"foo\""},
        {"dense:4:relu:dropconnect=1", "column 26: dropconnect rate \"1\" must be in [0, 1)"},
        {"dense:4:relu:dropconnect=x", "dropconnect rate is not a number: \"x\""},
        {"dense:4:relu:dropconnect=0.1:dropconnect=0.2", "column 30: dense option given twice"},
        {"dense:4:relu:bias=1", "unknown dense option \"bias\""},
        {"alpha_dropout:1", "column 15: alpha_dropout rate \"1\": alpha dropout rate must be in [0, 1)"},
        {"gaussian_dropout:nan", "gaussian_dropout rate \"nan\""},
        {"gaussian_noise:-1", "gaussian_noise stddev \"-1\": gaussian noise stddev must be >= 0"},
        {"gaussian_noise", "\"gaussian_noise\" needs a stddev (expected gaussian_noise:STDDEV)"},
        {"alpha_dropout:0.1:x", "unexpected field \"x\" (expected alpha_dropout:RATE)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        m = NULL;
        CHECK(dn_model_from_spec(&m, 4, bad[i].spec, &err) == DN_ERR_FORMAT && m == NULL);
        CHECK_MSG(strstr(err.message, bad[i].message) != NULL, "%s: \"%s\" lacks \"%s\"",
                  bad[i].spec, err.message, bad[i].message);
    }
}
