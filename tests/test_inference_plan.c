/* test_inference_plan.c — predictions on the weights packed once (dn_model_prepare_inference)
 * equal the unpacked forward pass bit for bit, for 1..40 rows and 1 or 2 threads; the packing is
 * dropped at every weight change (training, dn_model_params, copying weights), so a prediction
 * after a change equals the unpacked reference with the new weights; a loaded model predicts the
 * same prepared or not; and one row matches a double-precision forward pass computed here. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "test.h"

#include "dropnet.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { IN = 50, OUT = 3, ROWS = 40 };
static const char *const SPEC = "dropout:0.2,dense:96:relu,dropout:0.5,dense:70:tanh:dropconnect=0.3,"
                                "gaussian_noise:0.1,dense:3:softmax";

static void fill(float *x, size_t n, uint32_t seed) {
    for (size_t i = 0; i < n; ++i) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)((double)(seed >> 8) / (double)(1u << 24) * 2.0 - 1.0);
    }
}

static dn_model *make_model(int threads) {
    dn_error err;
    dn_model *m = NULL;
    CHECK_OK(dn_model_from_spec(&m, IN, SPEC, &err), &err);
    if (m == NULL) return NULL;
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, NULL, 7, &err), &err);
    CHECK_OK(dn_model_set_threads(m, threads, &err), &err);
    return m;
}

/* The unpacked outputs: a fresh model given m's weights by dn_model_copy_weights (which never
 * packs) and run by dn_model_forward, which does not pack either. */
static void reference(dn_model *m, const float *x, size_t rows, float *out) {
    dn_error err;
    dn_model *ref = make_model(1);
    CHECK_OK(dn_model_copy_weights(ref, m, &err), &err);
    CHECK(!dn_model_inference_prepared(ref));
    for (size_t r = 0; r < rows; ++r)
        CHECK_OK(dn_model_forward(ref, x + r * IN, 1, DN_MODE_INFERENCE, 0, out + r * OUT, &err),
                 &err);
    CHECK(!dn_model_inference_prepared(ref));
    dn_model_free(ref);
}

/* dn_model_predict of 1..ROWS rows on m equals `expected` bit for bit. */
static void check_predictions(dn_model *m, const float *x, const float *expected, const char *when) {
    dn_error err;
    float out[ROWS * OUT];
    for (size_t rows = 1; rows <= ROWS; rows += rows < 8 ? 1 : 7) {
        CHECK_OK(dn_model_predict(m, x, rows, out, &err), &err);
        CHECK_MSG(memcmp(out, expected, rows * OUT * sizeof(float)) == 0,
                  "%s, %zu rows: the prediction differs from the unpacked forward pass", when, rows);
    }
}

TEST(inference_plan_equals_unpacked_any_threads) {
    float x[ROWS * IN], expected[ROWS * OUT];
    fill(x, ROWS * IN, 11);
    for (int threads = 1; threads <= 2; ++threads) {
        dn_error err;
        dn_model *m = make_model(threads);
        if (m == NULL) return;
        reference(m, x, ROWS, expected);
        CHECK_OK(dn_model_prepare_inference(m, &err), &err);
        CHECK(dn_model_inference_prepared(m));
        check_predictions(m, x, expected, threads == 1 ? "1 thread" : "2 threads");
        CHECK(dn_model_inference_prepared(m));
        dn_model_free(m);
    }
}

TEST(inference_plan_dropped_when_weights_change) {
    dn_error err;
    float x[ROWS * IN], before[ROWS * OUT], after[ROWS * OUT];
    fill(x, ROWS * IN, 5);
    dn_model *m = make_model(2);
    if (m == NULL) return;
    CHECK_OK(dn_model_prepare_inference(m, &err), &err);
    reference(m, x, ROWS, before);
    check_predictions(m, x, before, "prepared");

    /* An edit through dn_model_params: the pointer drops the packing, the next prediction packs
     * the new weights. */
    float *w = dn_model_params(m);
    CHECK(!dn_model_inference_prepared(m));
    for (size_t i = 0; i < 96; ++i) w[i] *= -2.0f;
    reference(m, x, ROWS, after);
    CHECK(memcmp(before, after, sizeof before) != 0); /* the edit changed the outputs */
    check_predictions(m, x, after, "after an edit through dn_model_params");
    CHECK(!dn_model_inference_prepared(m)); /* packing happens only when asked */
    CHECK_OK(dn_model_prepare_inference(m, &err), &err);

    /* A training epoch changes every weight. */
    dn_dataset *d = NULL;
    CHECK_OK(dn_dataset_create_synthetic(&d, 64, IN, OUT, 3, &err), &err);
    dn_fit_config fit = dn_fit_defaults();
    fit.epochs = 1;
    CHECK_OK(dn_model_fit(m, d, &fit, NULL, NULL, NULL, &err), &err);
    CHECK(!dn_model_inference_prepared(m));
    reference(m, x, ROWS, before);
    CHECK(memcmp(before, after, sizeof before) != 0);
    check_predictions(m, x, before, "after an epoch of training");

    /* Weights copied in from another model. */
    dn_model *other = make_model(1);
    CHECK_OK(dn_model_prepare_inference(m, &err), &err);
    CHECK_OK(dn_model_copy_weights(m, other, &err), &err);
    CHECK(!dn_model_inference_prepared(m));
    reference(m, x, ROWS, after);
    check_predictions(m, x, after, "after dn_model_copy_weights");
    dn_model_free(other);
    dn_dataset_free(d);
    dn_model_free(m);
}

TEST(inference_plan_after_load) {
    dn_error err;
    char dir[] = "/tmp/dn-plan-XXXXXX", path[64];
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    float x[ROWS * IN], expected[ROWS * OUT];
    fill(x, ROWS * IN, 9);
    dn_model *m = make_model(2), *loaded = NULL;
    if (m == NULL) return;
    reference(m, x, ROWS, expected);
    CHECK_OK(dn_model_save(m, path, &err), &err);
    CHECK_OK(dn_model_load(&loaded, path, &err), &err);
    if (loaded != NULL) {
        check_predictions(loaded, x, expected, "after dn_model_load");
        CHECK_OK(dn_model_prepare_inference(loaded, &err), &err);
        CHECK(dn_model_inference_prepared(loaded));
        check_predictions(loaded, x, expected, "after dn_model_load, prepared");
    }
    remove(path);
    rmdir(dir);
    dn_model_free(loaded);
    dn_model_free(m);
}

/* One row through the prepared model against the forward pass in double, from the slab. */
TEST(inference_plan_matches_double_reference) {
    dn_error err;
    float x[IN], out[OUT];
    fill(x, IN, 3);
    dn_model *m = make_model(2);
    if (m == NULL) return;
    CHECK_OK(dn_model_prepare_inference(m, &err), &err);
    CHECK_OK(dn_model_predict(m, x, 1, out, &err), &err);
    const float *p = dn_model_params(m);
    const size_t sizes[] = {IN, 96, 70, OUT};
    double h[96 + 70 + IN], *a = h, *b = h + 96; /* enough for any layer pair */
    for (size_t i = 0; i < IN; ++i) h[96 + 70 + i] = x[i];
    a = h + 96 + 70;
    for (size_t l = 0; l < 3; ++l) {
        size_t n = sizes[l], o = sizes[l + 1];
        double *next = l % 2 == 0 ? h : b;
        for (size_t j = 0; j < o; ++j) {
            double s = p[n * o + j];
            for (size_t k = 0; k < n; ++k) s += a[k] * p[k * o + j];
            next[j] = l == 0 ? (s > 0.0 ? s : 0.0) : l == 1 ? tanh(s) : s;
        }
        p += n * o + o;
        a = next;
    }
    double mx = fmax(a[0], fmax(a[1], a[2])), z = 0.0;
    for (size_t j = 0; j < OUT; ++j) z += exp(a[j] - mx);
    for (size_t j = 0; j < OUT; ++j) CHECK_NEAR(out[j], exp(a[j] - mx) / z, 1e-6);
    dn_model_free(m);
}
