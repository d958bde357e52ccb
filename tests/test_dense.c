/* test_dense.c — the dense layer and the backward pass of whole models.
 *
 * Forward: a 2×3 batch through a 3×2 kernel and bias worked out by hand, for every activation.
 * Backward: for small models (every hidden activation, every loss, fused and unfused output
 * activations, dropout at a fixed step) the analytic gradient slab from one training-style pass
 * (dni_model_load_batch, dni_model_run, dni_loss_batch,
    dni_model_backprop) is compared, parameter by
 * parameter, with a central difference of the batch-mean loss.
 *
 * Gradient bound, stated once: |a − n| ≤ 1e-2 · max(1e-2, |a| + |n|), with a the analytic and n
 * the numeric derivative, h = 1e-2 (1e-3 when ±1e-2 would move a relu pre-activation across 0).
 * The forward runs in float32 but the loss sums in double, so the numeric derivative's rounding
 * noise is about 1e-7/(2h) ≈ 5e-6 and its truncation error h²/6·|L'''| ≲ 2e-5, both well inside
 * the bound's floor of 1e-4; a wrong term in any backward formula is off by far more. */
#include "test.h"

#include "dropnet.h"
#include "kernels/activation.h"
#include "model/model.h"
#include "model/network.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------- */
/* Forward values by hand                                                                    */
/* ---------------------------------------------------------------------------------------- */

/* x [2×3], W [3×2] (row-major, Keras layout), b [2]. */
static const float FWD_X[6] = {1.0f, 2.0f, 3.0f, -1.0f, 0.5f, 2.0f};
static const float FWD_W[6] = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f};
static const float FWD_B[2] = {0.05f, -0.1f};
/* z = x·W + b, by hand:
 *   z00 = 1·0.1 + 2·0.3 + 3·(−0.5) + 0.05     = −0.75
 *   z01 = 1·(−0.2) + 2·0.4 + 3·0.6 − 0.1      =  2.3
 *   z10 = −1·0.1 + 0.5·0.3 + 2·(−0.5) + 0.05  = −0.9
 *   z11 = −1·(−0.2) + 0.5·0.4 + 2·0.6 − 0.1   =  1.5 */
static const double FWD_Z[4] = {-0.75, 2.3, -0.9, 1.5};

static double expected_activation(dn_activation act, const double *z, size_t i) {
    double v = z[i];
    switch (act) {
    case DN_ACT_LINEAR: return v;
    case DN_ACT_RELU: return v > 0.0 ? v : 0.0;
    case DN_ACT_SIGMOID: return 1.0 / (1.0 + exp(-v));
    case DN_ACT_TANH: return tanh(v);
    case DN_ACT_SOFTMAX: {
        const double *row = z + (i / 2) * 2;
        return exp(v) / (exp(row[0]) + exp(row[1]));
    }
    case DN_ACT_SELU: return 1.0507009873554805 * (v > 0.0 ? v : 1.6732632423543772 * expm1(v));
    case DN_ACT_ELU: return v > 0.0 ? v : expm1(v);
    case DN_ACT_GELU: return 0.5 * v * (1.0 + erf(v / sqrt(2.0)));
    case DN_ACT_LEAKY_RELU: return v > 0.0 ? v : 0.3 * v;
    }
    return NAN;
}

/* A 3-input model with one Dense(2, act) layer holding FWD_W and FWD_B. */
static dn_model *forward_model(dn_activation act) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, 3, &err), &err);
    if (m == NULL) return NULL;
    CHECK_OK(dn_model_add_dense(m, 2, act, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, NULL, 1, &err), &err);
    CHECK(dn_model_param_count(m) == 8);
    float *p = dn_model_params(m);
    if (p == NULL) {
        dn_model_free(m);
        return NULL;
    }
    memcpy(p, FWD_W, sizeof FWD_W);
    memcpy(p + 6, FWD_B, sizeof FWD_B);
    return m;
}

TEST(dense_forward_each_activation_by_hand) {
    const dn_activation acts[] = {DN_ACT_LINEAR, DN_ACT_RELU, DN_ACT_SIGMOID, DN_ACT_TANH,
                                  DN_ACT_SOFTMAX, DN_ACT_SELU, DN_ACT_ELU, DN_ACT_GELU,
                                  DN_ACT_LEAKY_RELU};
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; ++a) {
        dn_model *m = forward_model(acts[a]);
        if (m == NULL) return;
        dn_error err;
        float out[4];
        CHECK_OK(dn_model_forward(m, FWD_X, 2, DN_MODE_INFERENCE, 0, out, &err), &err);
        size_t rows = 0, cols = 0;
        const float *y = dn_model_activation(m, 1, &rows, &cols);
        CHECK(y != NULL && rows == 2 && cols == 2);
        for (size_t i = 0; i < 4; ++i) {
            /* The pre-activation kept for the backward pass is z itself. */
            CHECK_NEAR(m->layers[0].pre[i], FWD_Z[i], 1e-6);
            double want = expected_activation(acts[a], FWD_Z, i);
            CHECK_MSG(fabs(out[i] - want) <= 1e-6, "%s: y[%zu] = %.9g, expected %.9g",
                      dn_activation_name(acts[a]), i, (double)out[i], want);
            if (y != NULL) CHECK(y[i] == out[i]);
        }
        dn_model_free(m);
    }
}

/* Literal values for a few of the above, so the expected formulas are themselves checked. */
TEST(dense_forward_literal_values) {
    dn_model *m = forward_model(DN_ACT_SOFTMAX);
    if (m == NULL) return;
    dn_error err;
    float out[4];
    CHECK_OK(dn_model_forward(m, FWD_X, 2, DN_MODE_INFERENCE, 0, out, &err), &err);
    /* softmax(−0.75, 2.3) = (1/(1+e^3.05), e^3.05/(1+e^3.05)); e^3.05 = 21.1153444 */
    CHECK_NEAR(out[0], 0.04521747, 1e-6);
    CHECK_NEAR(out[1], 0.95478253, 1e-6);
    /* softmax(−0.9, 1.5): e^2.4 = 11.0231764 → 0.0831727, 0.9168273 */
    CHECK_NEAR(out[2], 0.08317270, 1e-6);
    CHECK_NEAR(out[3], 0.91682730, 1e-6);
    dn_model_free(m);

    m = forward_model(DN_ACT_RELU);
    if (m == NULL) return;
    CHECK_OK(dn_model_forward(m, FWD_X, 2, DN_MODE_INFERENCE, 0, out, &err), &err);
    CHECK(out[0] == 0.0f && out[2] == 0.0f);
    CHECK_NEAR(out[1], 2.3, 1e-6);
    CHECK_NEAR(out[3], 1.5, 1e-6);
    dn_model_free(m);
}

/* Saturating inputs: sigmoid and softmax stay finite and in range for |z| far beyond expf's
 * range (e^89 overflows float). */
TEST(dense_forward_saturating_inputs) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, 1, &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_add_dense(m, 3, DN_ACT_SOFTMAX, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, NULL, 1, &err), &err);
    float *p = dn_model_params(m);
    p[0] = 1000.0f, p[1] = -1000.0f, p[2] = 0.0f; /* kernel [1×3] */
    p[3] = p[4] = p[5] = 0.0f;
    const float x[2] = {1.0f, -1.0f};
    float out[6];
    CHECK_OK(dn_model_forward(m, x, 2, DN_MODE_INFERENCE, 0, out, &err), &err);
    CHECK(out[0] == 1.0f && out[1] == 0.0f && out[2] == 0.0f);
    CHECK(out[3] == 0.0f && out[4] == 1.0f && out[5] == 0.0f);
    dn_model_free(m);

    CHECK_OK(dn_model_create(&m, 1, &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_add_dense(m, 1, DN_ACT_SIGMOID, NULL, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, NULL, 1, &err), &err);
    p = dn_model_params(m);
    p[0] = 1000.0f, p[1] = 0.0f;
    CHECK_OK(dn_model_forward(m, x, 2, DN_MODE_INFERENCE, 0, out, &err), &err);
    CHECK(out[0] == 1.0f);
    CHECK(out[1] == 0.0f);
    dn_model_free(m);
}

/* ---------------------------------------------------------------------------------------- */
/* Backward against central differences                                                      */
/* ---------------------------------------------------------------------------------------- */

typedef struct layer_spec {
    int dropout;         /* 1: Dropout(rate), 0: Dense(units, act) */
    size_t units;
    dn_activation act;
    float rate;
} layer_spec;

enum { GC_INPUTS = 4, GC_ROWS = 6, KINK_MAX = 512 };

/* Deterministic, irregular inputs in [−1.5, 1.5]. */
static float gc_x(size_t r, size_t i) {
    return (float)(1.5 * sin(1.37 * (double)r + 2.11 * (double)i + 0.3 * (double)(r * i) + 0.4));
}

/* A dataset of GC_ROWS rows for `loss` with `outputs` outputs. */
static dn_dataset *gc_data(dn_loss loss, size_t outputs) {
    float x[GC_ROWS * GC_INPUTS];
    for (size_t r = 0; r < GC_ROWS; ++r)
        for (size_t i = 0; i < GC_INPUTS; ++i) x[r * GC_INPUTS + i] = gc_x(r, i);
    dn_dataset *d = NULL;
    dn_error err;
    if (loss == DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
        int32_t labels[GC_ROWS];
        for (size_t r = 0; r < GC_ROWS; ++r) labels[r] = (int32_t)((r * 2 + 1) % outputs);
        CHECK_OK(dn_dataset_create_classification(&d, GC_ROWS, GC_INPUTS, x, labels, outputs,
                                                  &err), &err);
    } else {
        float y[GC_ROWS * 8];
        for (size_t k = 0; k < GC_ROWS * outputs; ++k) {
            if (loss == DN_LOSS_MEAN_SQUARED_ERROR)
                y[k] = (float)cos(1.7 * (double)k + 0.2);
            else /* binary cross-entropy: hard and soft targets */
                y[k] = k % 3 == 0 ? 0.0f : k % 3 == 1 ? 1.0f : 0.3f;
        }
        CHECK_OK(dn_dataset_create_targets(&d, GC_ROWS, GC_INPUTS, x, outputs, y, &err), &err);
    }
    return d;
}

static dn_model *gc_model(const layer_spec *spec, size_t n, dn_loss loss, uint64_t seed) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_create(&m, GC_INPUTS, &err), &err);
    if (m == NULL) return NULL;
    for (size_t i = 0; i < n; ++i) {
        if (spec[i].dropout) CHECK_OK(dn_model_add_dropout(m, spec[i].rate, &err), &err);
        else CHECK_OK(dn_model_add_dense(m, spec[i].units, spec[i].act, NULL, &err), &err);
    }
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    dn_status st = dn_model_compile(m, loss, &sgd, seed, &err);
    CHECK_MSG(st == DN_OK, "compile: %s", err.message);
    if (st != DN_OK) {
        dn_model_free(m);
        return NULL;
    }
    /* Non-zero biases, so the check does not run only at b = 0. */
    for (size_t i = 0; i < m->layer_count; ++i) {
        const dn_layer *l = &m->layers[i];
        if (l->kind != DN_LAYER_DENSE) continue;
        float *b = m->params + l->param_offset + l->in * l->out;
        for (size_t j = 0; j < l->out; ++j) b[j] = (float)(0.2 * sin(2.3 * (double)(i + j) + 1.0));
    }
    return m;
}

/* Forward over the loaded batch, then the batch-mean loss (fills m->loss_grad). */
static double gc_loss(dn_model *m, size_t rows, dn_mode mode, uint64_t step) {
    const dn_layer *last = &m->layers[m->layer_count - 1];
    dni_model_run(m, rows, mode, step);
    double sum = 0.0, correct = 0.0;
    dni_loss_batch(m->loss, last->activation, last->pre, last->y, rows, rows, last->out, m->batch_labels,
                   m->batch_targets, m->loss_grad, &sum, &correct);
    return sum / (double)rows;
}

/* Whether the activation's derivative jumps at z = 0 (relu, leaky relu, selu; elu's is
 * continuous with α = 1 but its second derivative is not, so it is guarded too): a central
 * difference across 0 measures neither side's slope. */
static int has_kink(dn_activation act) {
    return act == DN_ACT_RELU || act == DN_ACT_LEAKY_RELU || act == DN_ACT_SELU || act == DN_ACT_ELU;
}

/* Signs of every pre-activation of a layer with a kink at 0, concatenated (at most KINK_MAX);
 * returns how many. */
static size_t kink_pattern(const dn_model *m, size_t rows, uint8_t *out) {
    size_t n = 0;
    for (size_t i = 0; i < m->layer_count; ++i) {
        const dn_layer *l = &m->layers[i];
        if (l->kind != DN_LAYER_DENSE || !has_kink(l->activation)) continue;
        for (size_t k = 0; k < rows * l->out && n < KINK_MAX; ++k) out[n++] = l->pre[k] > 0.0f;
    }
    return n;
}

/* Whether no kinked pre-activation changed sign since `base` was taken. */
static int same_kink_pattern(const dn_model *m, const uint8_t *base, size_t n) {
    uint8_t now[KINK_MAX];
    return kink_pattern(m, GC_ROWS, now) == n && memcmp(now, base, n) == 0;
}

/* Layer holding parameter p (for messages). */
static const char *param_owner(const dn_model *m, size_t p, int *is_bias) {
    for (size_t i = 0; i < m->layer_count; ++i) {
        const dn_layer *l = &m->layers[i];
        if (l->kind == DN_LAYER_DENSE && p >= l->param_offset &&
            p < l->param_offset + l->param_count) {
            *is_bias = p >= l->param_offset + l->in * l->out;
            return l->name;
        }
    }
    *is_bias = 0;
    return "?";
}

/* Compares the analytic gradient slab with central differences; `what` names the case. */
static void gradient_check(const char *what, const layer_spec *spec, size_t n, dn_loss loss,
                           dn_mode mode, uint64_t step) {
    size_t outputs = spec[n - 1].units;
    dn_dataset *d = gc_data(loss, outputs);
    dn_model *m = gc_model(spec, n, loss, 11);
    if (d == NULL || m == NULL) {
        dn_dataset_free(d);
        dn_model_free(m);
        return;
    }
    size_t index[GC_ROWS];
    for (size_t r = 0; r < GC_ROWS; ++r) index[r] = r;
    dni_model_load_batch(m, d, index, GC_ROWS);

    const dn_layer *last = &m->layers[m->layer_count - 1];
    double base = gc_loss(m, GC_ROWS, mode, step);
    CHECK_MSG(isfinite(base), "%s: loss %g", what, base);
    dni_model_backprop(m, GC_ROWS, dni_loss_is_fused(loss, last->activation));
    size_t count = m->param_count;
    float *analytic = malloc(count * sizeof *analytic);
    uint8_t base_pattern[KINK_MAX];
    if (analytic == NULL) {
        CHECK(analytic != NULL);
        goto done;
    }
    memcpy(analytic, m->grads, count * sizeof *analytic);
    size_t kinks = kink_pattern(m, GC_ROWS, base_pattern);

    size_t failures = 0, nonzero = 0;
    double max_numeric = 0.0;
    for (size_t p = 0; p < count; ++p) {
        float saved = m->params[p];
        double numeric = NAN;
        const double steps[2] = {1e-2, 1e-3};
        for (size_t s = 0; s < 2 && isnan(numeric); ++s) {
            float h = (float)steps[s];
            m->params[p] = saved + h;
            double hi = (double)m->params[p];
            double up = gc_loss(m, GC_ROWS, mode, step);
            int crossed = !same_kink_pattern(m, base_pattern, kinks);
            m->params[p] = saved - h;
            double lo = (double)m->params[p];
            double down = gc_loss(m, GC_ROWS, mode, step);
            crossed |= !same_kink_pattern(m, base_pattern, kinks);
            m->params[p] = saved;
            /* Divide by the step actually taken in float. */
            if (!crossed) numeric = (up - down) / (hi - lo);
        }
        if (isnan(numeric)) {
            failures++;
            CHECK_MSG(0, "%s: parameter %zu: a kink at 0 lies within 1e-3; pick other data", what, p);
            continue;
        }
        double a = analytic[p];
        int ok = fabs(a - numeric) <= 1e-2 * fmax(1e-2, fabs(a) + fabs(numeric));
        if (!ok && ++failures <= 6) {
            int is_bias;
            const char *owner = param_owner(m, p, &is_bias);
            CHECK_MSG(0, "%s: d loss / d param %zu (%s %s) analytic %.7g, numeric %.7g", what, p,
                      owner, is_bias ? "bias" : "kernel", a, numeric);
        }
        nonzero += fabs(numeric) > 1e-4;
        max_numeric = fmax(max_numeric, fabs(numeric));
    }
    CHECK_MSG(failures == 0, "%s: %zu of %zu gradients disagree", what, failures, count);
    /* The check means something only if the gradient is not (nearly) zero everywhere. */
    CHECK_MSG(max_numeric > 1e-2 && nonzero * 3 >= count, "%s: degenerate gradient (max %g, "
              "%zu of %zu non-zero)", what, max_numeric, nonzero, count);
    /* Nothing above may have changed the parameters. */
    double again = gc_loss(m, GC_ROWS, mode, step);
    CHECK_MSG(again == base, "%s: loss %.17g after the check, %.17g before", what, again, base);
done:
    free(analytic);
    dn_model_free(m);
    dn_dataset_free(d);
}

#define SPEC_LEN(s) (sizeof(s) / sizeof((s)[0]))

TEST(dense_gradient_each_hidden_activation_softmax_ce) {
    const dn_activation acts[] = {DN_ACT_LINEAR, DN_ACT_RELU, DN_ACT_SIGMOID, DN_ACT_TANH,
                                  DN_ACT_SOFTMAX, DN_ACT_SELU, DN_ACT_ELU, DN_ACT_GELU,
                                  DN_ACT_LEAKY_RELU};
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; ++a) {
        layer_spec spec[] = {{0, 5, acts[a], 0}, {0, 3, DN_ACT_SOFTMAX, 0}};
        char what[64];
        snprintf(what, sizeof what, "dense 5 %s -> dense 3 softmax, CE",
                 dn_activation_name(acts[a]));
        gradient_check(what, spec, SPEC_LEN(spec), DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
                       DN_MODE_TRAINING, 0);
    }
}

TEST(dense_gradient_linear_logits_ce) {
    layer_spec spec[] = {{0, 5, DN_ACT_TANH, 0}, {0, 3, DN_ACT_LINEAR, 0}};
    gradient_check("dense 5 tanh -> dense 3 linear (logits), CE", spec, SPEC_LEN(spec),
                   DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, DN_MODE_TRAINING, 0);
}

TEST(dense_gradient_mse_each_output_activation) {
    /* MSE is never fused, so these run every activation's own backward at the output,
     * softmax's Jacobian-vector product included. */
    const dn_activation outs[] = {DN_ACT_LINEAR, DN_ACT_RELU, DN_ACT_SIGMOID, DN_ACT_TANH,
                                  DN_ACT_SOFTMAX};
    const dn_activation hidden[] = {DN_ACT_SIGMOID, DN_ACT_TANH, DN_ACT_RELU, DN_ACT_LINEAR,
                                    DN_ACT_TANH};
    for (size_t a = 0; a < sizeof outs / sizeof outs[0]; ++a) {
        layer_spec spec[] = {{0, 5, hidden[a], 0}, {0, 3, outs[a], 0}};
        char what[64];
        snprintf(what, sizeof what, "dense 5 %s -> dense 3 %s, MSE", dn_activation_name(hidden[a]),
                 dn_activation_name(outs[a]));
        gradient_check(what, spec, SPEC_LEN(spec), DN_LOSS_MEAN_SQUARED_ERROR, DN_MODE_TRAINING, 0);
    }
}

TEST(dense_gradient_sigmoid_bce) {
    layer_spec spec[] = {{0, 5, DN_ACT_RELU, 0}, {0, 3, DN_ACT_SIGMOID, 0}};
    gradient_check("dense 5 relu -> dense 3 sigmoid, BCE", spec, SPEC_LEN(spec),
                   DN_LOSS_BINARY_CROSSENTROPY, DN_MODE_TRAINING, 0);
    layer_spec logits[] = {{0, 5, DN_ACT_TANH, 0}, {0, 3, DN_ACT_LINEAR, 0}};
    gradient_check("dense 5 tanh -> dense 3 linear (logits), BCE", logits, SPEC_LEN(logits),
                   DN_LOSS_BINARY_CROSSENTROPY, DN_MODE_TRAINING, 0);
}

TEST(dense_gradient_three_layers) {
    /* Exercises a dense layer's input gradient (dz·Wᵀ) feeding another dense layer. */
    layer_spec spec[] = {{0, 5, DN_ACT_TANH, 0}, {0, 4, DN_ACT_SIGMOID, 0},
                         {0, 3, DN_ACT_SOFTMAX, 0}};
    gradient_check("dense 5 tanh -> dense 4 sigmoid -> dense 3 softmax, CE", spec, SPEC_LEN(spec),
                   DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, DN_MODE_TRAINING, 0);
}

TEST(dense_gradient_through_dropout_at_fixed_step) {
    /* The mask is a function of (seed, layer, step, element), so the loss is a smooth function of
     * the parameters for a fixed step and central differences apply. */
    layer_spec mid[] = {{0, 5, DN_ACT_TANH, 0}, {1, 0, DN_ACT_LINEAR, 0.5f},
                        {0, 3, DN_ACT_SOFTMAX, 0}};
    gradient_check("dense 5 tanh -> dropout 0.5 -> dense 3 softmax, CE (step 7)", mid,
                   SPEC_LEN(mid), DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, DN_MODE_TRAINING, 7);
    layer_spec first[] = {{1, 0, DN_ACT_LINEAR, 0.25f}, {0, 5, DN_ACT_SIGMOID, 0},
                          {0, 3, DN_ACT_SOFTMAX, 0}};
    gradient_check("dropout 0.25 -> dense 5 sigmoid -> dense 3 softmax, CE (step 3)", first,
                   SPEC_LEN(first), DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, DN_MODE_TRAINING, 3);
    layer_spec deep[] = {{0, 5, DN_ACT_RELU, 0}, {1, 0, DN_ACT_LINEAR, 0.3f},
                         {0, 4, DN_ACT_TANH, 0}, {1, 0, DN_ACT_LINEAR, 0.5f},
                         {0, 3, DN_ACT_LINEAR, 0}};
    gradient_check("dense relu -> dropout -> dense tanh -> dropout -> dense 3 linear, MSE (step 2)",
                   deep, SPEC_LEN(deep), DN_LOSS_MEAN_SQUARED_ERROR, DN_MODE_TRAINING, 2);
}

TEST(dense_gradient_overwrites_previous_step) {
    /* The gradient slab holds the gradients of the last step only (dense backward overwrites):
     * two identical backward passes give identical slabs, not doubled ones. */
    layer_spec spec[] = {{0, 5, DN_ACT_TANH, 0}, {0, 3, DN_ACT_SOFTMAX, 0}};
    dn_dataset *d = gc_data(DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 3);
    dn_model *m = gc_model(spec, SPEC_LEN(spec), DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 5);
    CHECK(m == NULL || m->param_count == 43); /* 4·5 + 5 + 5·3 + 3 */
    if (d != NULL && m != NULL && m->param_count <= 64) {
        size_t index[GC_ROWS];
        for (size_t r = 0; r < GC_ROWS; ++r) index[r] = r;
        dni_model_load_batch(m, d, index, GC_ROWS);
        float first[64];
        gc_loss(m, GC_ROWS, DN_MODE_TRAINING, 0);
        dni_model_backprop(m, GC_ROWS, 1);
        memcpy(first, m->grads, m->param_count * sizeof(float));
        gc_loss(m, GC_ROWS, DN_MODE_TRAINING, 0);
        dni_model_backprop(m, GC_ROWS, 1);
        CHECK(memcmp(first, m->grads, m->param_count * sizeof(float)) == 0);
    }
    dn_model_free(m);
    dn_dataset_free(d);
}

/* ---------------------------------------------------------------------------------------- */
/* Activation derivatives at chosen points                                                   */
/* ---------------------------------------------------------------------------------------- */

TEST(dense_activation_backward_hand_values) {
    /* relu' is 0 at z = 0 (as TensorFlow takes it), 1 above, 0 below. */
    const float zr[3] = {0.0f, 1.5f, -2.0f};
    float yr[3], gr[3] = {1.0f, 2.0f, 3.0f};
    dni_activation_forward(DN_ACT_RELU, zr, yr, 1, 3, 1);
    dni_activation_backward(DN_ACT_RELU, zr, yr, gr, 1, 3, 1);
    CHECK(gr[0] == 0.0f && gr[1] == 2.0f && gr[2] == 0.0f);

    /* σ'(0) = 1/4, σ'(2) = σ(2)(1 − σ(2)); tanh'(0) = 1, tanh'(1) = 1 − tanh²(1). */
    const float z2[2] = {0.0f, 2.0f}, z3[2] = {0.0f, 1.0f};
    float y[2], g[2] = {1.0f, 1.0f};
    dni_activation_forward(DN_ACT_SIGMOID, z2, y, 1, 2, 1);
    dni_activation_backward(DN_ACT_SIGMOID, z2, y, g, 1, 2, 1);
    double s2 = 1.0 / (1.0 + exp(-2.0));
    CHECK_NEAR(g[0], 0.25, 1e-7);
    CHECK_NEAR(g[1], s2 * (1.0 - s2), 1e-7);
    g[0] = g[1] = 1.0f;
    dni_activation_forward(DN_ACT_TANH, z3, y, 1, 2, 1);
    dni_activation_backward(DN_ACT_TANH, z3, y, g, 1, 2, 1);
    CHECK_NEAR(g[0], 1.0, 1e-7);
    CHECK_NEAR(g[1], 1.0 - tanh(1.0) * tanh(1.0), 1e-7);

    /* softmax: dz = y ⊙ (g − ⟨g, y⟩). For z = (0, ln 2, ln 5): y = (1/8, 2/8, 5/8); with
     * g = (1, 0, −1): ⟨g, y⟩ = −1/2, dz = (1/8·3/2, 2/8·1/2, 5/8·(−1/2)) = (3/16, 1/8, −5/16). */
    const float zs[3] = {0.0f, (float)log(2.0), (float)log(5.0)};
    float ys[3], gs[3] = {1.0f, 0.0f, -1.0f};
    dni_activation_forward(DN_ACT_SOFTMAX, zs, ys, 1, 3, 1);
    CHECK_NEAR(ys[0], 0.125, 1e-7);
    CHECK_NEAR(ys[1], 0.25, 1e-7);
    CHECK_NEAR(ys[2], 0.625, 1e-7);
    dni_activation_backward(DN_ACT_SOFTMAX, zs, ys, gs, 1, 3, 1);
    CHECK_NEAR(gs[0], 3.0 / 16, 1e-7);
    CHECK_NEAR(gs[1], 1.0 / 8, 1e-7);
    CHECK_NEAR(gs[2], -5.0 / 16, 1e-7);

    /* linear passes the gradient unchanged */
    float gl[2] = {0.5f, -3.0f};
    dni_activation_backward(DN_ACT_LINEAR, z2, z2, gl, 1, 2, 1);
    CHECK(gl[0] == 0.5f && gl[1] == -3.0f);
}

TEST(dense_gradient_bias_over_wide_layers) {
    /* db = Σ_rows dz for 130 units: two whole 64-column bands (summed as vectors) and an edge
     * band of 2, 1 and 3 threads, against the column sums in double. Linear output, so dz is the
     * upstream gradient set here. */
    enum { IN = 3, UNITS = 130, ROWS = 37 };
    dn_error err;
    const int threads[] = {1, 3};
    for (size_t t = 0; t < 2; ++t) {
        dn_model *m = NULL;
        dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
        CHECK_OK(dn_model_from_spec(&m, IN, "dense:130:linear", &err), &err);
        if (m == NULL) return;
        CHECK_OK(dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, &sgd, 5, &err), &err);
        CHECK_OK(dn_model_set_threads(m, threads[t], &err), &err);
        CHECK_OK(dni_model_reserve(m, ROWS, &err), &err);
        float x[ROWS * IN];
        for (size_t i = 0; i < ROWS * IN; ++i) x[i] = (float)(i % 7) - 3.0f;
        CHECK_OK(dn_model_forward(m, x, ROWS, DN_MODE_TRAINING, 0, NULL, &err), &err);
        for (size_t i = 0; i < ROWS * UNITS; ++i)
            m->loss_grad[i] = (float)((int)(i * 31 % 19) - 9) / 8.0f + (float)(i / UNITS) / 64.0f;
        double want[UNITS] = {0.0};
        for (size_t r = 0; r < ROWS; ++r)
            for (size_t j = 0; j < UNITS; ++j) want[j] += m->loss_grad[r * UNITS + j];
        dni_model_backprop(m, ROWS, 0);
        const float *db = m->grads + IN * UNITS;
        for (size_t j = 0; j < UNITS; ++j)
            CHECK_MSG(fabs(db[j] - want[j]) <= 1e-5 * (1.0 + fabs(want[j])),
                      "%d threads: db[%zu] = %.9g, expected %.9g", threads[t], j, (double)db[j],
                      want[j]);
        dn_model_free(m);
    }
}
