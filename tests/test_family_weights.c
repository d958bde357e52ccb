/* test_family_weights.c — initialisers, the max-norm constraint and L2 weight decay.
 *
 * Initialiser statistics over a 1000×1000 kernel (n = 10^6 draws): the truncated normals are
 * scaled so that Var w = scale/fan_in exactly; the sample variance has relative σ ≈ √(0.8·2/n)
 * (kurtosis of N(0,1) truncated at 2 is about 2.4, so Var(w²) ≈ 1.4·Var²) ≈ 1.2e-3; bound 1 %.
 * The mean has σ = √(Var/n); bound 5σ. Every |w| ≤ 2σ_n with σ_n = √(scale/fan_in)/0.8796. */
#include "test.h"

#include "dropnet.h"
#include "model/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static dn_model *compiled(size_t inputs, const char *spec, const dn_optimizer_config *opt,
                          uint64_t seed) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, inputs, spec, &err), &err);
    if (m != NULL && dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, opt, seed, &err) != DN_OK) {
        CHECK_MSG(0, "compile %s: %s", spec, err.message);
        dn_model_free(m);
        m = NULL;
    }
    return m;
}

static void check_truncated_normal(const char *spec, double scale) {
    dn_model *m = compiled(1000, spec, NULL, 17);
    if (m == NULL) return;
    const float *w = dn_model_params(m);
    double sum = 0.0, sq = 0.0, bound = 2.0 * sqrt(scale / 1000.0) / .87962566103423978;
    size_t outside = 0;
    for (size_t k = 0; k < 1000000; ++k) {
        sum += w[k];
        sq += (double)w[k] * w[k];
        outside += fabs(w[k]) > bound * (1.0 + 1e-6);
    }
    double mean = sum / 1e6, var = sq / 1e6 - mean * mean, want = scale / 1000.0;
    CHECK_MSG(fabs(mean) <= 5.0 * sqrt(want / 1e6), "%s: mean %g", spec, mean);
    CHECK_MSG(fabs(var / want - 1.0) <= 0.01, "%s: variance %g, expected %g", spec, var, want);
    CHECK_MSG(outside == 0, "%s: %zu weights beyond 2σ", spec, outside);
    const float *bias = w + 1000000;
    for (size_t j = 0; j < 1000; ++j) CHECK(bias[j] == 0.0f);
    dn_model_free(m);
}

TEST(family_initializers_match_keras_statistics) {
    check_truncated_normal("dense:1000:relu:init=he_normal", 2.0);
    check_truncated_normal("dense:1000:tanh:init=lecun_normal", 1.0);
    check_truncated_normal("dense:1000:selu", 1.0); /* selu's default is lecun_normal */
    dn_model *m = compiled(1000, "dense:1000:selu,dense:4:relu", NULL, 17);
    if (m != NULL) {
        dn_dense_options o;
        dn_error err;
        CHECK_OK(dn_model_dense_options(m, 0, &o, &err), &err);
        CHECK(o.initializer == DN_INIT_LECUN_NORMAL && o.dropconnect == 0.0f);
        CHECK_OK(dn_model_dense_options(m, 1, &o, &err), &err);
        CHECK(o.initializer == DN_INIT_GLOROT_UNIFORM);
        /* glorot_uniform stays within √(6/(1000 + 4)) */
        const float *w = dn_model_params(m) + 1001000;
        for (size_t k = 0; k < 4000; ++k) CHECK(fabs(w[k]) <= sqrt(6.0 / 1004.0));
    }
    dn_model_free(m);
    /* The same seed gives the same kernel. */
    dn_model *a = compiled(50, "dense:40:relu:init=he_normal", NULL, 3);
    dn_model *b = compiled(50, "dense:40:relu:init=he_normal", NULL, 3);
    CHECK(a && b && memcmp(dn_model_params(a), dn_model_params(b), 2040 * sizeof(float)) == 0);
    dn_model_free(a);
    dn_model_free(b);
    dn_initializer init;
    dn_error err;
    CHECK(dn_initializer_parse("he_uniform", &init, &err) == DN_ERR_FORMAT);
    CHECK(strstr(err.message, "unknown initializer 'he_uniform'") != NULL);
    dn_dense_options bad = {(dn_initializer)9, 0.0f};
    dn_model *c = NULL;
    CHECK_OK(dn_model_create(&c, 3, &err), &err);
    CHECK(dn_model_add_dense(c, 2, DN_ACT_RELU, &bad, &err) == DN_ERR_ARGUMENT);
    bad = (dn_dense_options){DN_INIT_DEFAULT, NAN};
    CHECK(dn_model_add_dense(c, 2, DN_ACT_RELU, &bad, &err) == DN_ERR_ARGUMENT);
    dn_model_free(c);
}

/* Rows of 4 features with 2 float targets. */
static dn_dataset *small_data(void) {
    float x[16 * 4], y[16 * 2];
    for (size_t k = 0; k < 64; ++k) x[k] = (float)sin(0.9 * (double)k + 0.1) * 2.0f;
    for (size_t k = 0; k < 32; ++k) y[k] = (float)cos(1.3 * (double)k);
    dn_dataset *d = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_targets(&d, 16, 4, x, 2, y, &err), &err);
    return d;
}

/* After each batch: the largest column norm of every dense kernel against the bound. */
typedef struct norm_watch {
    dn_model *model;
    double bound;
    size_t steps, over, at_bound;
    double largest;
} norm_watch;

static int watch_norms(const dn_event *ev, void *user) {
    norm_watch *w = user;
    if (ev->kind != DN_EVENT_BATCH_END) return 0;
    w->steps++;
    double largest = 0.0;
    for (size_t i = 0; i < 2; ++i) {
        dn_layer_info info;
        dn_model_layer_info(w->model, i, &info, NULL);
        const float *k = dn_model_params(w->model) + info.param_offset;
        for (size_t j = 0; j < info.outputs; ++j) {
            double sq = 0.0;
            for (size_t r = 0; r < info.inputs; ++r)
                sq += (double)k[r * info.outputs + j] * k[r * info.outputs + j];
            largest = fmax(largest, sqrt(sq));
        }
    }
    w->largest = fmax(w->largest, largest);
    w->over += largest > w->bound * (1.0 + 1e-6);
    w->at_bound += largest > w->bound * (1.0 - 1e-6);
    return 0;
}

TEST(family_max_norm_rescales_only_columns_above_the_bound) {
    dn_model *m = compiled(3, "dense:2:linear", NULL, 1);
    if (m == NULL) return;
    dn_error err;
    dn_regularization reg = {0.0f, 2.0f};
    CHECK_OK(dn_model_set_regularization(m, &reg, &err), &err);
    float *p = dn_model_params(m);
    /* Column 0 = (3, 0, 4): norm 5 → (1.2, 0, 1.6); column 1 = (1, 1, 1): norm √3 < 2, kept. */
    const float w[8] = {3.0f, 1.0f, 0.0f, 1.0f, 4.0f, 1.0f, 7.0f, 8.0f};
    memcpy(p, w, sizeof w);
    dni_model_apply_max_norm(m);
    CHECK_NEAR(p[0], 1.2, 1e-6);
    CHECK(p[2] == 0.0f);
    CHECK_NEAR(p[4], 1.6, 1e-6);
    CHECK(p[1] == 1.0f && p[3] == 1.0f && p[5] == 1.0f); /* untouched, bit for bit */
    CHECK(p[6] == 7.0f && p[7] == 8.0f);                 /* biases are not constrained */
    dn_model_free(m);

    /* Through fit: after every step (a batch-end callback) every column is within the bound,
     * and some column sits on it (the update pushed it out and the constraint pulled it back). */
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    sgd.learning_rate = 0.5f;
    dn_dataset *d = small_data();
    m = compiled(4, "dense:6:tanh,dense:2:linear", &sgd, 5);
    if (m != NULL && d != NULL) {
        reg.max_norm = 0.5f;
        CHECK_OK(dn_model_set_regularization(m, &reg, &err), &err);
        dn_fit_config fit = dn_fit_defaults();
        fit.epochs = 3;
        fit.batch_size = 4;
        norm_watch watch = {m, 0.5, 0, 0, 0, 0.0};
        CHECK_OK(dn_model_fit(m, d, &fit, watch_norms, &watch, NULL, &err), &err);
        CHECK(watch.steps == 12); /* 16 rows in batches of 4, 3 epochs */
        CHECK_MSG(watch.over == 0, "%zu step(s) left a column above the bound (largest norm %g)",
                  watch.over, watch.largest);
        CHECK_MSG(watch.at_bound == watch.steps, "only %zu of %zu steps had a column on the bound",
                  watch.at_bound, watch.steps);
    }
    dn_model_free(m);
    dn_dataset_free(d);
}

TEST(family_l2_adds_twice_lambda_w_to_the_kernel_gradient) {
    /* One SGD step with and without l2 from the same weights: the kernels differ by exactly
     * −lr·2λ·W (to float rounding), the biases not at all. */
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    sgd.learning_rate = 0.1f;
    dn_dataset *d = small_data();
    dn_model *plain = compiled(4, "dense:3:tanh,dense:2:linear", &sgd, 8);
    dn_model *decayed = compiled(4, "dense:3:tanh,dense:2:linear", &sgd, 8);
    dn_error err;
    if (d == NULL || plain == NULL || decayed == NULL) goto done;
    dn_regularization reg = {0.05f, 0.0f};
    CHECK_OK(dn_model_set_regularization(decayed, &reg, &err), &err);
    size_t n = dn_model_param_count(plain);
    float before[32];
    CHECK(n == 23);
    memcpy(before, dn_model_params(plain), n * sizeof(float));
    dn_fit_config fit = dn_fit_defaults();
    fit.batch_size = 16;
    fit.shuffle = 0;
    double loss_plain, loss_decayed;
    dn_epoch_metrics h1, h2;
    CHECK_OK(dn_model_fit(plain, d, &fit, NULL, NULL, &h1, &err), &err);
    CHECK_OK(dn_model_fit(decayed, d, &fit, NULL, NULL, &h2, &err), &err);
    loss_plain = h1.loss;
    loss_decayed = h2.loss;
    CHECK(loss_plain == loss_decayed); /* the reported loss is the data loss only */
    const float *a = dn_model_params(plain), *b = dn_model_params(decayed);
    for (size_t k = 0; k < n; ++k) {
        int bias = (k >= 12 && k < 15) || k >= 21;
        double want = bias ? 0.0 : -0.1 * 2.0 * 0.05 * before[k];
        CHECK_MSG(fabs((b[k] - a[k]) - want) <= 1e-6, "param %zu: difference %g, expected %g", k,
                  (double)(b[k] - a[k]), want);
    }
    CHECK(dn_model_set_regularization(decayed, &(dn_regularization){-1.0f, 0.0f}, &err) ==
          DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "l2 must be >= 0") != NULL);
    CHECK(dn_model_set_regularization(decayed, &(dn_regularization){0.0f, INFINITY}, &err) ==
          DN_ERR_ARGUMENT);
    CHECK(dn_model_regularization(decayed).l2 == 0.05f);
done:
    dn_model_free(plain);
    dn_model_free(decayed);
    dn_dataset_free(d);
}

TEST(family_regularization_and_layers_survive_save_and_load) {
    const char *spec = "dense:5:selu,alpha_dropout:0.1,dense:4:relu:init=he_normal:dropconnect="
                       "0.25,gaussian_dropout:0.2,gaussian_noise:0.3,dense:2:linear";
    dn_model *m = compiled(4, spec, NULL, 12), *back = NULL;
    dn_error err;
    char dir[] = "/tmp/dn-family-XXXXXX", path[64], text[512];
    if (m == NULL || mkdtemp(dir) == NULL) {
        CHECK(m != NULL);
        dn_model_free(m);
        return;
    }
    snprintf(path, sizeof path, "%s/m.safetensors", dir);
    dn_regularization reg = {1e-4f, 3.0f};
    CHECK_OK(dn_model_set_regularization(m, &reg, &err), &err);
    CHECK_OK(dn_model_save(m, path, &err), &err);
    CHECK_OK(dn_model_load(&back, path, &err), &err);
    if (back != NULL) {
        CHECK(dn_model_regularization(back).l2 == 1e-4f && dn_model_regularization(back).max_norm == 3.0f);
        dn_model_spec(back, text, sizeof text);
        CHECK_MSG(strcmp(text, spec) == 0, "got %s", text);
        CHECK(memcmp(dn_model_params(back), dn_model_params(m), dn_model_param_count(m) * sizeof(float)) == 0);
    }
    remove(path);
    rmdir(dir);
    dn_model_free(m);
    dn_model_free(back);
}
