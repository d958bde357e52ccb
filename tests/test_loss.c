/* test_loss.c — the four losses: values worked out by hand, gradients against central
 * differences of the loss itself, accuracy counting, and extreme logits (±1e4) through the fused
 * softmax + cross-entropy and sigmoid + binary cross-entropy.
 *
 * dni_loss_batch sums in double from float inputs, so a central difference of its loss with a
 * step h = 2^-10 (exact in float for these magnitudes) is accurate to about h²/6·|L'''| < 1e-7;
 * the analytic gradient is float, so the bound used is |a − n| ≤ 1e-6. */
#include "test.h"

#include "dropnet.h"
#include "kernels/activation.h"
#include "model/model.h"

#include <math.h>
#include <string.h>

enum { MAX_CELLS = 64 };

/* Batch-mean loss of dni_loss_batch for pre-activations z; y = act(z) is computed first (the loss
 * reads z when fused, y otherwise). The gradient goes to `grad` (may be NULL). */
static double loss_of(dn_loss loss, dn_activation last, const float *z, size_t rows, size_t cols,
                      const int32_t *labels, const float *targets, float *grad, double *correct) {
    float y[MAX_CELLS], g[MAX_CELLS];
    dni_activation_forward(last, z, y, rows, cols, 1);
    double sum = 0.0, c = 0.0;
    dni_loss_batch(loss, last, z, y, rows, rows, cols, labels, targets, grad ? grad : g, &sum, &c);
    if (correct) *correct = c;
    return sum / (double)rows;
}

/* Central differences of loss_of over every z (fused) or y (= z for a linear output). */
static void check_loss_gradient(const char *what, dn_loss loss, dn_activation last, const float *z0,
                                size_t rows, size_t cols, const int32_t *labels,
                                const float *targets) {
    float z[MAX_CELLS], grad[MAX_CELLS];
    memcpy(z, z0, rows * cols * sizeof(float));
    loss_of(loss, last, z, rows, cols, labels, targets, grad, NULL);
    const float h = 1.0f / 1024.0f;
    for (size_t k = 0; k < rows * cols; ++k) {
        float saved = z[k];
        z[k] = saved + h;
        double up = loss_of(loss, last, z, rows, cols, labels, targets, NULL, NULL);
        z[k] = saved - h;
        double down = loss_of(loss, last, z, rows, cols, labels, targets, NULL, NULL);
        z[k] = saved;
        double numeric = (up - down) / (2.0 * (double)h);
        CHECK_MSG(fabs(grad[k] - numeric) <= 1e-6, "%s: dL/dz[%zu] = %.9g, numeric %.9g", what, k,
                  (double)grad[k], numeric);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Sparse categorical cross-entropy                                                          */
/* ---------------------------------------------------------------------------------------- */

TEST(loss_ce_uniform_softmax_is_log3) {
    const float z[6] = {0, 0, 0, 0, 0, 0};
    const int32_t labels[2] = {0, 2};
    float grad[6];
    double loss = loss_of(DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, DN_ACT_SOFTMAX, z, 2, 3, labels,
                          NULL, grad, NULL);
    CHECK_NEAR(loss, log(3.0), 1e-12);
    CHECK_NEAR(loss, 1.0986122886681098, 1e-12);
    /* dL/dz = (1/3 − onehot) / rows */
    const double want[6] = {(1.0 / 3 - 1) / 2, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, (1.0 / 3 - 1) / 2};
    for (size_t k = 0; k < 6; ++k) CHECK_NEAR(grad[k], want[k], 1e-7);

    /* Through a model with all-zero parameters: evaluate gives log 3 on any data. */
    dn_model *m = NULL;
    dn_dataset *d = NULL;
    dn_error err;
    float x[10 * 4];
    int32_t lab[10];
    for (size_t i = 0; i < 40; ++i) x[i] = (float)i * 0.25f - 3.0f;
    for (size_t r = 0; r < 10; ++r) lab[r] = (int32_t)(r % 3);
    CHECK_OK(dn_dataset_create_classification(&d, 10, 4, x, lab, 3, &err), &err);
    CHECK_OK(dn_model_create(&m, 4, &err), &err);
    if (m == NULL || d == NULL) goto done;
    CHECK_OK(dn_model_add_dense(m, 3, DN_ACT_SOFTMAX, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 3, &err), &err);
    if (dn_model_params(m) == NULL) goto done;
    memset(dn_model_params(m), 0, dn_model_param_count(m) * sizeof(float));
    double l = 0.0, acc = 0.0;
    CHECK_OK(dn_model_evaluate(m, d, &l, &acc, &err), &err);
    CHECK_NEAR(l, log(3.0), 1e-12);
done:
    dn_model_free(m);
    dn_dataset_free(d);
}

/* Three rows of logits; L = −log softmax(z)_t by the textbook formula. */
static const float CE_Z[9] = {1.0f, 2.0f, 3.0f, 0.5f, -1.0f, 0.0f, 2.0f, 2.5f, -1.0f};
static const int32_t CE_T[3] = {2, 0, 0};

TEST(loss_ce_hand_values) {
    double want = 0.0;
    double p[9];
    for (size_t r = 0; r < 3; ++r) {
        const float *zr = CE_Z + 3 * r;
        double s = exp(zr[0]) + exp(zr[1]) + exp(zr[2]);
        for (size_t j = 0; j < 3; ++j) p[3 * r + j] = exp(zr[j]) / s;
        want += -log(p[3 * r + (size_t)CE_T[r]]) / 3.0;
    }
    /* Row 0 by hand: log(e + e² + e³) − 3 = log(1 + e^-1 + e^-2) = 0.40760596444… */
    CHECK_NEAR(-log(p[2]), 0.4076059644443803, 1e-12);
    const dn_activation lasts[2] = {DN_ACT_SOFTMAX, DN_ACT_LINEAR};
    for (size_t a = 0; a < 2; ++a) {
        float grad[9];
        double correct = -1.0;
        double loss = loss_of(DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, lasts[a], CE_Z, 3, 3, CE_T,
                              NULL, grad, &correct);
        CHECK_NEAR(loss, want, 1e-9);
        /* argmax: row 0 → 2 (right), row 1 → 0 (right), row 2 → 1 (wrong) */
        CHECK(correct == 2.0);
        for (size_t k = 0; k < 9; ++k)
            CHECK_NEAR(grad[k], (p[k] - (k % 3 == (size_t)CE_T[k / 3] ? 1.0 : 0.0)) / 3.0, 1e-7);
    }
}

TEST(loss_ce_gradient_central_difference) {
    float z[20];
    int32_t t[4] = {4, 0, 2, 2};
    for (size_t k = 0; k < 20; ++k) z[k] = (float)(2.0 * sin(1.1 * (double)k + 0.5));
    check_loss_gradient("CE, softmax output", DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                        DN_ACT_SOFTMAX, z, 4, 5, t, NULL);
    check_loss_gradient("CE, logits", DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, DN_ACT_LINEAR, z, 4,
                        5, t, NULL);
}

/* A one-dense-layer model with the given kernel [in×out] and zero bias. */
static dn_model *fixed_model(size_t in, size_t out, dn_activation act, dn_loss loss,
                             const float *kernel) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, in, &err), &err);
    if (m == NULL) return NULL;
    CHECK_OK(dn_model_add_dense(m, out, act, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, loss, NULL, 1, &err), &err);
    if (dn_model_params(m) == NULL) {
        dn_model_free(m);
        return NULL;
    }
    memset(m->params, 0, m->param_count * sizeof(float));
    memcpy(m->params, kernel, in * out * sizeof(float));
    return m;
}

/* One training-style pass over all rows of `d`; returns the batch-mean loss. */
static double train_pass(dn_model *m, const dn_dataset *d, size_t rows) {
    size_t index[8];
    for (size_t r = 0; r < rows; ++r) index[r] = r;
    dni_model_load_batch(m, d, index, rows);
    dni_model_run(m, rows, DN_MODE_TRAINING, 0);
    const dn_layer *last = &m->layers[m->layer_count - 1];
    double sum = 0.0, correct = 0.0;
    dni_loss_batch(m->loss, last->activation, last->pre, last->y, rows, rows, last->out, m->batch_labels,
                   m->batch_targets, m->loss_grad, &sum, &correct);
    dni_model_backprop(m, rows, dni_loss_is_fused(m->loss, last->activation));
    return sum / (double)rows;
}

TEST(loss_ce_extreme_logits_finite) {
    /* x = (1, 0) and kernel row 0 = (1e4, −1e4, 0) give logits z = (1e4, −1e4, 0) in every row.
     * Labels 0, 1, 2: L = lse − z_t with lse = 1e4 (e^−1e4 underflows) → 0, 2e4, 1e4; mean 1e4.
     * dL/dz = (softmax − onehot)/3 with softmax = (1, 0, 0):
     *   row 0 (0, 0, 0), row 1 (1, −1, 0)/3, row 2 (1, 0, −1)/3
     * so dW row 0 = db = (2, −1, −1)/3 and dW row 1 = 0. */
    const float kernel[6] = {1e4f, -1e4f, 0.0f, 0.0f, 0.0f, 0.0f};
    const float x[6] = {1, 0, 1, 0, 1, 0};
    const int32_t labels[3] = {0, 1, 2};
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_classification(&d, 3, 2, x, labels, 3, &err), &err);
    const dn_activation lasts[2] = {DN_ACT_SOFTMAX, DN_ACT_LINEAR};
    for (size_t a = 0; d != NULL && a < 2; ++a) {
        dn_model *m = fixed_model(2, 3, lasts[a], DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, kernel);
        if (m == NULL) continue;
        double loss = train_pass(m, d, 3);
        CHECK_MSG(isfinite(loss) && fabs(loss - 1e4) <= 1e-6, "%s: loss %.17g, expected 1e4",
                  dn_activation_name(lasts[a]), loss);
        const float *g = dn_model_grads(m);
        const double want[9] = {2.0 / 3, -1.0 / 3, -1.0 / 3, 0, 0, 0, 2.0 / 3, -1.0 / 3, -1.0 / 3};
        for (size_t k = 0; k < 9; ++k) {
            CHECK(isfinite(g[k]));
            CHECK_NEAR(g[k], want[k], 1e-6);
        }
        /* And evaluate (inference) agrees. */
        double l = 0.0;
        CHECK_OK(dn_model_evaluate(m, d, &l, NULL, &err), &err);
        CHECK_NEAR(l, 1e4, 1e-6);
        dn_model_free(m);
    }
    dn_dataset_free(d);
}

/* ---------------------------------------------------------------------------------------- */
/* Mean squared error                                                                        */
/* ---------------------------------------------------------------------------------------- */

/* The regression losses on one pair of hand-checked matrices, y = [[0.5, −1], [2, 0]] and
 * t = [[1, 1], [2, −0.5]]:
 *   MSE: rows (0.25 + 4)/2 = 2.125 and (0 + 0.25)/2 = 0.125, mean 1.125;
 *        dL/dy = 2(y − t)/(rows·cols) = (−0.25, −1, 0, 0.25).
 *   MAE: rows (0.5 + 2)/2 = 1.25 and (0 + 0.5)/2 = 0.25, mean 0.75 (PyTorch L1Loss: 3/4);
 *        dL/dy = sign(y − t)/(rows·cols) = (−0.25, −0.25, 0, 0.25): 0 where y = t, as
 *        TensorFlow's sign.
 * Neither counts accuracy. */
static const struct {
    dn_loss loss;
    const char *name;
    double value, grad[4];
} REGRESSION_HAND[] = {
    {DN_LOSS_MEAN_SQUARED_ERROR, "MSE", 1.125, {-0.25, -1.0, 0.0, 0.25}},
    {DN_LOSS_MEAN_ABSOLUTE_ERROR, "MAE", 0.75, {-0.25, -0.25, 0.0, 0.25}},
};

TEST(loss_regression_hand_values) {
    const float y[4] = {0.5f, -1.0f, 2.0f, 0.0f};
    const float t[4] = {1.0f, 1.0f, 2.0f, -0.5f};
    for (size_t c = 0; c < sizeof REGRESSION_HAND / sizeof *REGRESSION_HAND; ++c) {
        float grad[4];
        double correct = 0.0;
        double loss = loss_of(REGRESSION_HAND[c].loss, DN_ACT_LINEAR, y, 2, 2, NULL, t, grad, &correct);
        CHECK_MSG(fabs(loss - REGRESSION_HAND[c].value) <= 1e-12, "%s: loss %.17g, expected %g",
                  REGRESSION_HAND[c].name, loss, REGRESSION_HAND[c].value);
        for (size_t k = 0; k < 4; ++k)
            CHECK_MSG(fabs(grad[k] - REGRESSION_HAND[c].grad[k]) <= 1e-7, "%s: grad[%zu] = %.9g, "
                      "expected %g", REGRESSION_HAND[c].name, k, grad[k],
                      REGRESSION_HAND[c].grad[k]);
        CHECK_MSG(correct == 0.0, "%s counted accuracy", REGRESSION_HAND[c].name);
        /* Neither fuses its gradient with the linear output's. */
        CHECK(!dni_loss_is_fused(REGRESSION_HAND[c].loss, DN_ACT_LINEAR));
    }
}

/* MSE reads y, not z: with a sigmoid output y = σ(z). */
TEST(loss_mse_reads_activated_output) {
    float grad[2];
    const float z[2] = {0.0f, 2.0f};
    const float tz[2] = {1.0f, 0.0f};
    double s2 = 1.0 / (1.0 + exp(-2.0));
    double loss = loss_of(DN_LOSS_MEAN_SQUARED_ERROR, DN_ACT_SIGMOID, z, 1, 2, NULL, tz, grad, NULL);
    CHECK_NEAR(loss, (0.25 + s2 * s2) / 2.0, 1e-7);
    CHECK_NEAR(grad[0], 2.0 * (0.5 - 1.0) / 2.0, 1e-7);
    CHECK_NEAR(grad[1], 2.0 * s2 / 2.0, 1e-7);
}

TEST(loss_mse_gradient_central_difference) {
    float y[12], t[12];
    for (size_t k = 0; k < 12; ++k) {
        y[k] = (float)(1.5 * sin(0.7 * (double)k + 0.1));
        t[k] = (float)cos(1.3 * (double)k);
    }
    check_loss_gradient("MSE", DN_LOSS_MEAN_SQUARED_ERROR, DN_ACT_LINEAR, y, 3, 4, NULL, t);
}

/* ---------------------------------------------------------------------------------------- */
/* Mean absolute error                                                                       */
/* ---------------------------------------------------------------------------------------- */

TEST(loss_mae_gradient_central_difference) {
    /* |y − t| ≥ 0.05 everywhere, far from the kink at y = t compared with h = 1/1024. */
    float y[12], t[12];
    for (size_t k = 0; k < 12; ++k) {
        t[k] = (float)cos(1.3 * (double)k);
        y[k] = t[k] + (float)((k % 2 ? 1.0 : -1.0) * (0.05 + 0.1 * (double)k));
    }
    check_loss_gradient("MAE", DN_LOSS_MEAN_ABSOLUTE_ERROR, DN_ACT_LINEAR, y, 3, 4, NULL, t);
}

/* ---------------------------------------------------------------------------------------- */
/* Binary cross-entropy                                                                      */
/* ---------------------------------------------------------------------------------------- */

/* The textbook form −[t·log σ(z) + (1 − t)·log(1 − σ(z))], for moderate z. */
static double bce_ref(double z, double t) {
    double s = 1.0 / (1.0 + exp(-z));
    return -(t * log(s) + (1.0 - t) * log(1.0 - s));
}

TEST(loss_bce_hand_values) {
    /* Row 0: z = (0, 2), t = (1, 0): log 2 and log(1 + e²) = 2.12692801…, mean 1.41003760…
     * Row 1: z = (−1, 3), t = (0.3, 1): 0.3 + log(1 + e^−1) = 0.61326169… and log(1 + e^−3). */
    const float z[4] = {0.0f, 2.0f, -1.0f, 3.0f};
    const float t[4] = {1.0f, 0.0f, 0.3f, 1.0f};
    CHECK_NEAR((bce_ref(0, 1) + bce_ref(2, 0)) / 2.0, 1.410037595801459, 1e-12);
    CHECK_NEAR(bce_ref(-1, 0.3), 0.6132616875182228, 1e-7); /* t = 0.3 in double here */
    double want = 0.0;
    for (size_t k = 0; k < 4; ++k) want += bce_ref(z[k], t[k]) / 4.0;
    const dn_activation lasts[2] = {DN_ACT_SIGMOID, DN_ACT_LINEAR};
    for (size_t a = 0; a < 2; ++a) {
        float grad[4];
        double loss = loss_of(DN_LOSS_BINARY_CROSSENTROPY, lasts[a], z, 2, 2, NULL, t, grad, NULL);
        CHECK_NEAR(loss, want, 1e-9);
        for (size_t k = 0; k < 4; ++k)
            CHECK_NEAR(grad[k], (1.0 / (1.0 + exp(-(double)z[k])) - t[k]) / 4.0, 1e-7);
    }
}

TEST(loss_bce_accuracy_counts_elements) {
    /* Hard targets, no σ exactly 0.5: predictions σ(z) > 0.5 ⇔ z > 0 → (1, 0, 0, 1, 1, 0);
     * targets (1, 1, 0, 0, 1, 0) → 4 of 6 elements right. */
    const float z[6] = {0.3f, -2.0f, -0.1f, 4.0f, 1.0f, -5.0f};
    const float t[6] = {1.0f, 1.0f, 0.0f, 0.0f, 1.0f, 0.0f};
    double correct = -1.0;
    loss_of(DN_LOSS_BINARY_CROSSENTROPY, DN_ACT_SIGMOID, z, 2, 3, NULL, t, NULL, &correct);
    CHECK(correct == 4.0);
}

TEST(loss_bce_gradient_central_difference) {
    float z[12], t[12];
    for (size_t k = 0; k < 12; ++k) {
        z[k] = (float)(3.0 * sin(0.9 * (double)k + 0.4));
        t[k] = k % 3 == 0 ? 0.0f : k % 3 == 1 ? 1.0f : 0.25f;
    }
    check_loss_gradient("BCE, sigmoid output", DN_LOSS_BINARY_CROSSENTROPY, DN_ACT_SIGMOID, z, 3,
                        4, NULL, t);
    check_loss_gradient("BCE, logits", DN_LOSS_BINARY_CROSSENTROPY, DN_ACT_LINEAR, z, 3, 4, NULL, t);
}

TEST(loss_bce_extreme_logits_finite) {
    /* x = 1 and kernel (1e4, −1e4, 1e4, −1e4) give z = the kernel; t = (0, 1, 1, 0).
     * Per element max(z,0) − z·t + log(1 + e^−|z|): 1e4, 1e4, 0, 0 → mean 5e3.
     * dL/dz = (σ(z) − t)/4 = (1/4, −1/4, 0, 0) = dW = db. */
    const float kernel[4] = {1e4f, -1e4f, 1e4f, -1e4f};
    const float x[1] = {1.0f};
    const float t[4] = {0.0f, 1.0f, 1.0f, 0.0f};
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_targets(&d, 1, 1, x, 4, t, &err), &err);
    const dn_activation lasts[2] = {DN_ACT_SIGMOID, DN_ACT_LINEAR};
    for (size_t a = 0; d != NULL && a < 2; ++a) {
        dn_model *m = fixed_model(1, 4, lasts[a], DN_LOSS_BINARY_CROSSENTROPY, kernel);
        if (m == NULL) continue;
        double loss = train_pass(m, d, 1);
        CHECK_MSG(isfinite(loss) && fabs(loss - 5e3) <= 1e-6, "%s: loss %.17g, expected 5e3",
                  dn_activation_name(lasts[a]), loss);
        const float *g = dn_model_grads(m);
        const double want[4] = {0.25, -0.25, 0.0, 0.0};
        for (size_t k = 0; k < 8; ++k) {
            CHECK(isfinite(g[k]));
            CHECK_NEAR(g[k], want[k % 4], 1e-7);
        }
        if (lasts[a] == DN_ACT_SIGMOID) {
            const float *y = dn_model_activation(m, 1, NULL, NULL);
            CHECK(y != NULL && y[0] == 1.0f && y[1] == 0.0f && y[2] == 1.0f && y[3] == 0.0f);
        }
        dn_model_free(m);
    }
    dn_dataset_free(d);
}

TEST(loss_fusion_rules) {
    CHECK(dni_loss_is_fused(DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, DN_ACT_SOFTMAX));
    CHECK(dni_loss_is_fused(DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, DN_ACT_LINEAR));
    CHECK(dni_loss_is_fused(DN_LOSS_BINARY_CROSSENTROPY, DN_ACT_SIGMOID));
    CHECK(dni_loss_is_fused(DN_LOSS_BINARY_CROSSENTROPY, DN_ACT_LINEAR));
    const dn_activation all[] = {DN_ACT_LINEAR, DN_ACT_RELU, DN_ACT_SIGMOID, DN_ACT_TANH,
                                 DN_ACT_SOFTMAX};
    for (size_t a = 0; a < 5; ++a) CHECK(!dni_loss_is_fused(DN_LOSS_MEAN_SQUARED_ERROR, all[a]));
}
