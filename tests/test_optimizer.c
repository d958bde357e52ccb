/* test_optimizer.c — SGD (plain, momentum, Nesterov) and Adam on a tiny slab against the update
 * rules of dropnet.h worked out in double in the test, the Keras defaults, and the first Adam
 * and SGD steps as fit applies them.
 *
 * The optimizers compute in float; with |w| ≤ 2 and updates of order lr, every expected value is
 * met to 1e-6 absolute (a few float roundings of w), while a wrong rule (t off by one, ε in the
 * wrong place, PyTorch's Adam instead of Keras', velocity not carried) is off by ≥ 1e-4. */
#include "test.h"

#include "dropnet.h"
#include "model/model.h"

#include <math.h>
#include <string.h>

enum { N = 5 };

static const float W0[N] = {0.5f, -1.25f, 2.0f, 0.0f, -0.3f};
static const float G1[N] = {0.1f, -0.4f, 0.0f, 3.0f, 1e-3f};
static const float G2[N] = {-0.2f, -0.1f, 0.5f, 1.0f, 2e-3f};

static void check_slab(const char *what, const float *got, const double *want) {
    for (size_t i = 0; i < N; ++i)
        CHECK_MSG(fabs(got[i] - want[i]) <= 1e-6, "%s[%zu] = %.9g, expected %.9g", what, i,
                  (double)got[i], want[i]);
}

TEST(optimizer_keras_defaults) {
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    CHECK(sgd.kind == DN_OPTIMIZER_SGD);
    CHECK(sgd.learning_rate == 0.01f);
    CHECK(sgd.momentum == 0.0f);
    CHECK(sgd.nesterov == 0);
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    CHECK(adam.kind == DN_OPTIMIZER_ADAM);
    CHECK(adam.learning_rate == 0.001f);
    CHECK(adam.beta1 == 0.9f);
    CHECK(adam.beta2 == 0.999f);
    CHECK(adam.epsilon == 1e-7f);
}

TEST(optimizer_sgd_one_step) {
    dn_optimizer_config c = dn_optimizer_defaults(DN_OPTIMIZER_SGD); /* lr 0.01 */
    float w[N], m[N] = {0}, v[N] = {0};
    memcpy(w, W0, sizeof w);
    dni_optimizer_update(&c, w, G1, m, v, N, 1, 1);
    double want[N];
    for (size_t i = 0; i < N; ++i) want[i] = (double)W0[i] - 0.01 * (double)G1[i];
    check_slab("sgd w1", w, want);
    /* Literal: w1[3] = 0 − 0.01·3 = −0.03. */
    CHECK_NEAR(w[3], -0.03, 1e-8);
    /* Plain SGD keeps no state. */
    for (size_t i = 0; i < N; ++i) CHECK(m[i] == 0.0f && v[i] == 0.0f);
}

TEST(optimizer_momentum_two_steps) {
    dn_optimizer_config c = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    c.learning_rate = 0.1f;
    c.momentum = 0.9f;
    float w[N], vel[N] = {0}, unused[N] = {0};
    memcpy(w, W0, sizeof w);
    double v1[N], w1[N], v2[N], w2[N];
    for (size_t i = 0; i < N; ++i) {
        v1[i] = 0.9 * 0.0 - 0.1 * (double)G1[i];
        w1[i] = (double)W0[i] + v1[i];
        v2[i] = 0.9 * v1[i] - 0.1 * (double)G2[i];
        w2[i] = w1[i] + v2[i];
    }
    dni_optimizer_update(&c, w, G1, vel, unused, N, 1, 1);
    check_slab("momentum w1", w, w1);
    check_slab("momentum v1", vel, v1);
    dni_optimizer_update(&c, w, G2, vel, unused, N, 2, 1);
    check_slab("momentum w2", w, w2);
    check_slab("momentum v2", vel, v2);
    /* Literal, element 3: v1 = −0.3, w1 = −0.3, v2 = −0.27 − 0.1 = −0.37, w2 = −0.67. */
    CHECK_NEAR(w[3], -0.67, 1e-6);
}

TEST(optimizer_nesterov_steps) {
    dn_optimizer_config c = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    c.learning_rate = 0.1f;
    c.momentum = 0.9f;
    c.nesterov = 1;
    float w[N], vel[N] = {0}, unused[N] = {0};
    memcpy(w, W0, sizeof w);
    double v1[N], w1[N], v2[N], w2[N];
    for (size_t i = 0; i < N; ++i) {
        v1[i] = -0.1 * (double)G1[i];
        w1[i] = (double)W0[i] + 0.9 * v1[i] - 0.1 * (double)G1[i];
        v2[i] = 0.9 * v1[i] - 0.1 * (double)G2[i];
        w2[i] = w1[i] + 0.9 * v2[i] - 0.1 * (double)G2[i];
    }
    dni_optimizer_update(&c, w, G1, vel, unused, N, 1, 1);
    check_slab("nesterov w1", w, w1);
    check_slab("nesterov v1", vel, v1);
    /* Literal, element 3: v1 = −0.3, w1 = 0.9·(−0.3) − 0.3 = −0.57. */
    CHECK_NEAR(w[3], -0.57, 1e-6);
    dni_optimizer_update(&c, w, G2, vel, unused, N, 2, 1);
    check_slab("nesterov w2", w, w2);
    check_slab("nesterov v2", vel, v2);
}

/* Two Adam steps by the Keras rule, in double. */
static void adam_reference(double lr, double b1, double b2, double eps, double *w1, double *w2,
                           double *m2, double *v2) {
    for (size_t i = 0; i < N; ++i) {
        double g1 = G1[i], g2 = G2[i];
        double m1 = (1 - b1) * g1, v1 = (1 - b2) * g1 * g1;
        double a1 = lr * sqrt(1 - b2) / (1 - b1);
        w1[i] = (double)W0[i] - a1 * m1 / (sqrt(v1) + eps);
        m2[i] = b1 * m1 + (1 - b1) * g2;
        v2[i] = b2 * v1 + (1 - b2) * g2 * g2;
        double a2 = lr * sqrt(1 - b2 * b2) / (1 - b1 * b1);
        w2[i] = w1[i] - a2 * m2[i] / (sqrt(v2[i]) + eps);
    }
}

TEST(optimizer_adam_two_steps_defaults) {
    dn_optimizer_config c = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    float w[N], m[N] = {0}, v[N] = {0};
    memcpy(w, W0, sizeof w);
    double w1[N], w2[N], m2[N], v2[N];
    /* The config's float values, as the library sees them. */
    adam_reference(c.learning_rate, c.beta1, c.beta2, c.epsilon, w1, w2, m2, v2);
    dni_optimizer_update(&c, w, G1, m, v, N, 1, 1);
    check_slab("adam w1", w, w1);
    /* Step 1 moves every weight with g ≠ 0 by about lr (|m̂/√v̂| = 1), by hand: */
    CHECK_NEAR(w[0], 0.5 - 0.001, 1e-6);
    CHECK_NEAR(w[1], -1.25 + 0.001, 1e-6);
    CHECK(w[2] == 2.0f); /* g = 0: m = v = 0, no move */
    dni_optimizer_update(&c, w, G2, m, v, N, 2, 1);
    check_slab("adam w2", w, w2);
    for (size_t i = 0; i < N; ++i) {
        CHECK_NEAR(m[i], m2[i], 1e-7 + 1e-6 * fabs(m2[i]));
        CHECK_NEAR(v[i], v2[i], 1e-9 + 1e-5 * fabs(v2[i]));
    }
}

TEST(optimizer_adam_epsilon_and_bias_correction) {
    /* Large lr and ε make ε's place visible: Keras adds ε to √v (not to the bias-corrected √v̂ as
     * PyTorch does), with α = lr·√(1−β2^t)/(1−β1^t). For g = 1e-3 at step 1, √v = √(1−β2)·1e-3
     * ≈ 3.2e-5, comparable to ε = 1e-4. */
    dn_optimizer_config c = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    c.learning_rate = 0.1f;
    c.beta1 = 0.8f;
    c.beta2 = 0.99f;
    c.epsilon = 1e-4f;
    float w[N], m[N] = {0}, v[N] = {0};
    memcpy(w, W0, sizeof w);
    double w1[N], w2[N], m2[N], v2[N];
    adam_reference(c.learning_rate, c.beta1, c.beta2, c.epsilon, w1, w2, m2, v2);
    dni_optimizer_update(&c, w, G1, m, v, N, 1, 1);
    check_slab("adam(ε=1e-4) w1", w, w1);
    /* Element 4 by hand: m = 0.2·1e-3, √v = √0.01·1e-3 = 1e-4, α = 0.1·√0.01/0.2 = 0.05,
     * w1 = −0.3 − 0.05·2e-4/(1e-4 + 1e-4) = −0.35. */
    CHECK_NEAR(w[4], -0.35, 1e-6);
    dni_optimizer_update(&c, w, G2, m, v, N, 2, 1);
    check_slab("adam(ε=1e-4) w2", w, w2);
}

/* ---------------------------------------------------------------------------------------- */
/* The first step inside fit                                                                 */
/* ---------------------------------------------------------------------------------------- */

/* One fit step (one batch covering all rows, no shuffle) from the same initial weights; returns
 * the weights before and after and the gradients used. */
static int one_fit_step(const dn_optimizer_config *opt, float *before, float *after, float *grads,
                        size_t *count) {
    dn_dataset *d = NULL;
    dn_model *m = NULL;
    dn_error err;
    int ok = 0;
    CHECK_OK(dn_dataset_create_synthetic(&d, 16, 4, 3, 9, &err), &err);
    CHECK_OK(dn_model_create(&m, 4, &err), &err);
    if (d == NULL || m == NULL) goto done;
    CHECK_OK(dn_model_add_dense(m, 5, DN_ACT_TANH, NULL, &err), &err);
    CHECK_OK(dn_model_add_dense(m, 3, DN_ACT_SOFTMAX, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, opt, 13, &err), &err);
    *count = dn_model_param_count(m);
    if (*count > 64 || dn_model_params(m) == NULL) goto done;
    memcpy(before, dn_model_params(m), *count * sizeof(float));
    dn_fit_config cfg = dn_fit_defaults();
    cfg.batch_size = 16;
    cfg.shuffle = 0;
    CHECK_OK(dn_model_fit(m, d, &cfg, NULL, NULL, NULL, &err), &err);
    CHECK(dn_model_step(m) == 1);
    memcpy(after, dn_model_params(m), *count * sizeof(float));
    memcpy(grads, dn_model_grads(m), *count * sizeof(float));
    ok = 1;
done:
    dn_model_free(m);
    dn_dataset_free(d);
    return ok;
}

TEST(optimizer_fit_first_adam_step_uses_t_1) {
    dn_optimizer_config c = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    float before[64], after[64], g[64];
    size_t n = 0;
    if (!one_fit_step(&c, before, after, g, &n)) return;
    size_t moved = 0;
    for (size_t i = 0; i < n; ++i) {
        /* t = 1: m = 0.1g, v = 0.001g², α = 1e-3·√0.001/0.1. */
        double m1 = 0.1 * g[i], v1 = 0.001 * (double)g[i] * g[i];
        double alpha = 1e-3 * sqrt(1.0 - 0.999) / (1.0 - 0.9);
        double want = before[i] - alpha * m1 / (sqrt(v1) + 1e-7);
        CHECK_MSG(fabs(after[i] - want) <= 1e-6, "param %zu: %.9g, expected %.9g (g = %g)", i,
                  (double)after[i], want, (double)g[i]);
        moved += fabs(after[i] - before[i]) > 5e-4;
    }
    CHECK(moved * 2 > n); /* most weights move by ≈ lr on the first Adam step */
}

TEST(optimizer_fit_first_sgd_step) {
    dn_optimizer_config c = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    float before[64], after[64], g[64];
    size_t n = 0;
    if (!one_fit_step(&c, before, after, g, &n)) return;
    size_t nonzero = 0;
    for (size_t i = 0; i < n; ++i) {
        double want = (double)before[i] - 0.01 * (double)g[i];
        CHECK_MSG(fabs(after[i] - want) <= 1e-7, "param %zu: %.9g, expected %.9g", i,
                  (double)after[i], want);
        nonzero += g[i] != 0.0f;
    }
    CHECK(nonzero * 2 > n);
}

TEST(optimizer_invalid_settings_refused) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, 2, &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_add_dense(m, 2, DN_ACT_SOFTMAX, NULL, &err), &err);
    dn_optimizer_config bad[6];
    for (size_t i = 0; i < 6; ++i) bad[i] = dn_optimizer_defaults(i < 3 ? DN_OPTIMIZER_SGD : DN_OPTIMIZER_ADAM);
    bad[0].learning_rate = 0.0f;
    bad[1].momentum = 1.0f;
    bad[2].nesterov = 1; /* without momentum */
    bad[3].beta1 = 1.0f;
    bad[4].beta2 = NAN;
    bad[5].epsilon = 0.0f;
    for (size_t i = 0; i < 6; ++i)
        CHECK_MSG(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &bad[i], 1, &err) ==
                      DN_ERR_ARGUMENT, "bad optimizer setting %zu accepted", i);
    CHECK(dn_model_params(m) == NULL);
    dn_model_free(m);
}
