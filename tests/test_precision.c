/* test_precision.c — dn_model_set_precision(DN_PRECISION_BF16): a bf16 prediction equals a
 * double-precision reference computed from bf16-rounded inputs and weights, bf16 training is
 * reproducible and bit-identical for 1 and 3 threads and for the AVX512_BF16 and portable
 * kernels, and bf16 predictions stay close to fp32 ones (the documented tolerance). */
#include "test.h"

#include "dropnet.h"
#include "kernels/bf16.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { IN = 300, ROWS = 512, CLASSES = 10 };

static const char *spec = "dropout:0.2,dense:256:relu,dropout:0.5,dense:128:tanh,"
                          "dense:10:softmax";

TEST(precision_setter_validates_and_reads_back) {
    dn_model *m = NULL;
    dn_error err;
    CHECK_OK(dn_model_from_spec(&m, 4, "dense:2:softmax", &err), &err);
    CHECK(dn_model_precision(m) == DN_PRECISION_FP32);
    CHECK_OK(dn_model_set_precision(m, DN_PRECISION_BF16, &err), &err);
    CHECK(dn_model_precision(m) == DN_PRECISION_BF16);
    CHECK(dn_model_set_precision(m, (dn_precision)7, &err) == DN_ERR_ARGUMENT);
    CHECK(strstr(err.message, "DN_PRECISION_BF16") != NULL);
    CHECK(dn_model_precision(m) == DN_PRECISION_BF16);
    dn_model_free(m);
}

/* One dense layer, linear: out = Σ_k bf16(x)·bf16(W) + b, summed in fp32 (error ≤ (K+2)·2^-24
 * of Σ|x·W| + |b|); the same inputs in fp32 differ by far more (bf16's 2^-9 relative). */
TEST(bf16_prediction_matches_rounded_reference) {
    dn_model *m = NULL;
    dn_dataset *data = NULL;
    dn_error err;
    CHECK_OK(dn_dataset_create_synthetic(&data, 64, IN, CLASSES, 3, &err), &err);
    CHECK_OK(dn_model_from_spec(&m, IN, "dense:10:linear", &err), &err);
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    CHECK_OK(dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, &sgd, 5, &err), &err);
    float *x = malloc(64 * IN * sizeof *x), *y32 = malloc(64 * 10 * sizeof *y32),
          *y16 = malloc(64 * 10 * sizeof *y16);
    for (size_t r = 0; r < 64; ++r) dn_dataset_get_row(data, r, x + r * IN, &err);
    CHECK_OK(dn_model_predict(m, x, 64, y32, &err), &err);
    CHECK_OK(dn_model_set_precision(m, DN_PRECISION_BF16, &err), &err);
    CHECK_OK(dn_model_predict(m, x, 64, y16, &err), &err);
    const float *w = dn_model_params(m), *b = w + IN * 10;
    int bad = 0;
    double largest_fp32_gap = 0.0;
    for (size_t r = 0; r < 64; ++r)
        for (size_t j = 0; j < 10; ++j) {
            double sum = b[j], mag = fabs(b[j]);
            for (size_t k = 0; k < IN; ++k) {
                double t = (double)dni_bf16_round(x[r * IN + k]) * dni_bf16_round(w[k * 10 + j]);
                sum += t;
                mag += fabs(t);
            }
            double tol = (IN + 2) * ldexp(1.0, -24) * mag, got = y16[r * 10 + j];
            if (!(fabs(got - sum) <= tol) && bad++ == 0)
                dn_test_fail(__FILE__, __LINE__, "row %zu out %zu: %.9g, expected %.9g ± %.2g",
                             r, j, got, sum, tol);
            double gap = fabs((double)y32[r * 10 + j] - sum) / (tol > 0 ? tol : 1);
            largest_fp32_gap = gap > largest_fp32_gap ? gap : largest_fp32_gap;
        }
    /* The reference tells bf16 from fp32: fp32 lies many tolerances away somewhere. */
    CHECK_MSG(largest_fp32_gap > 10.0, "fp32 within %.3g tolerances of the bf16 reference",
              largest_fp32_gap);
    free(x);
    free(y32);
    free(y16);
    dn_model_free(m);
    dn_dataset_free(data);
}

/* Trains `spec` for 2 epochs with Adam in `precision` on `threads` threads; returns the
 * parameters (malloc'd; *count set) or NULL. */
static float *train(dn_precision precision, int threads, size_t *count) {
    dn_error err;
    dn_dataset *data = NULL;
    dn_model *m = NULL;
    float *copy = NULL;
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    if (dn_dataset_create_synthetic(&data, ROWS, IN, CLASSES, 5, &err) ||
        dn_model_from_spec(&m, IN, spec, &err) ||
        dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &adam, 42, &err) ||
        dn_model_set_threads(m, threads, &err) || dn_model_set_precision(m, precision, &err)) {
        dn_test_fail(__FILE__, __LINE__, "setup: %s", err.message);
        goto done;
    }
    dn_fit_config fit = dn_fit_defaults();
    fit.epochs = 2;
    fit.batch_size = 128;
    CHECK_OK(dn_model_fit(m, data, &fit, NULL, NULL, NULL, &err), &err);
    copy = dn_test_copy_params(m, count);
done:
    dn_model_free(m);
    dn_dataset_free(data);
    return copy;
}

TEST(bf16_training_reproducible_thread_and_kernel_independent) {
    size_t n[5] = {0};
    float *a = train(DN_PRECISION_BF16, 1, &n[0]), *b = train(DN_PRECISION_BF16, 3, &n[1]),
          *c = train(DN_PRECISION_BF16, 1, &n[2]), *f = train(DN_PRECISION_FP32, 1, &n[3]);
    const char *saved = getenv("DROPNET_KERNEL");
    char *copy = saved ? strdup(saved) : NULL;
    setenv("DROPNET_KERNEL", "portable", 1); /* the emulation, where AVX512_BF16 would run */
    float *p = train(DN_PRECISION_BF16, 2, &n[4]);
    if (copy) setenv("DROPNET_KERNEL", copy, 1);
    else unsetenv("DROPNET_KERNEL");
    free(copy);
    if (CHECK(a && b && c && f && p)) {
        size_t bytes = n[0] * sizeof(float);
        CHECK_MSG(memcmp(a, c, bytes) == 0, "bf16 training differs run to run");
        CHECK_MSG(memcmp(a, b, bytes) == 0, "bf16 training differs for 1 and 3 threads");
        CHECK_MSG(memcmp(a, p, bytes) == 0, "bf16 training differs with the portable kernel");
        /* bf16 really ran: the weights differ from fp32's, but not by much after 8 steps. */
        size_t differ = 0;
        double worst = 0.0;
        for (size_t i = 0; i < n[0]; ++i) {
            differ += a[i] != f[i];
            double d = fabs((double)a[i] - f[i]);
            worst = d > worst ? d : worst;
        }
        CHECK_MSG(differ > n[0] / 2, "only %zu of %zu weights differ from fp32", differ, n[0]);
        CHECK_MSG(worst < 0.05, "a weight moved %.3g away from fp32's", worst);
    }
    free(a);
    free(b);
    free(c);
    free(f);
    free(p);
}

/* A model trained in fp32 predicts in bf16 within the documented tolerance: probabilities within
 * 0.02 and the same class for ≥ 97 % of rows. */
TEST(bf16_predictions_close_to_fp32) {
    dn_error err;
    dn_dataset *data = NULL;
    dn_model *m = NULL;
    dn_optimizer_config adam = dn_optimizer_defaults(DN_OPTIMIZER_ADAM);
    CHECK_OK(dn_dataset_create_synthetic(&data, ROWS, IN, CLASSES, 5, &err), &err);
    CHECK_OK(dn_model_from_spec(&m, IN, spec, &err), &err);
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &adam, 3, &err), &err);
    dn_fit_config fit = dn_fit_defaults();
    fit.epochs = 3;
    CHECK_OK(dn_model_fit(m, data, &fit, NULL, NULL, NULL, &err), &err);
    float *y32 = malloc(ROWS * CLASSES * sizeof *y32), *y16 = malloc(ROWS * CLASSES * sizeof *y16);
    CHECK_OK(dn_model_predict_dataset(m, data, y32, &err), &err);
    CHECK_OK(dn_model_set_precision(m, DN_PRECISION_BF16, &err), &err);
    CHECK_OK(dn_model_predict_dataset(m, data, y16, &err), &err);
    double worst = 0.0;
    size_t same = 0;
    for (size_t r = 0; r < ROWS; ++r) {
        for (size_t j = 0; j < CLASSES; ++j) {
            double d = fabs((double)y32[r * CLASSES + j] - y16[r * CLASSES + j]);
            worst = d > worst ? d : worst;
        }
        same += dn_predicted_class(y32 + r * CLASSES, CLASSES) ==
                dn_predicted_class(y16 + r * CLASSES, CLASSES);
    }
    CHECK_MSG(worst < 0.02 && worst > 0.0, "largest probability difference %.3g", worst);
    CHECK_MSG(same * 100 >= ROWS * 97, "%zu of %d rows keep their class", same, ROWS);
    free(y32);
    free(y16);
    dn_model_free(m);
    dn_dataset_free(data);
}

/* The inference packing (dn_model_prepare_inference) is fp32: a bf16 model that has it must still
 * run bf16 products — the same bits as without the packing, and not fp32's — for one row (the
 * small-M path) and for 40 (the blocked driver over packed panels). */
/* dn_model_prepare_inference packs for the model's precision: bf16 predictions over the bf16
 * packing are bitwise the unpacked bf16 ones (1, 17 and 40 rows; 1 and 2 threads), a packing made
 * in one precision never serves the other (it reads as unprepared, and the outputs stay those of
 * the precision asked for), and bf16 differs from fp32. */
TEST(bf16_packed_predictions_match_unpacked_bf16) {
    dn_model *m = NULL;
    dn_dataset *data = NULL;
    dn_error err;
    enum { R = 40 };
    CHECK_OK(dn_dataset_create_synthetic(&data, R, IN, CLASSES, 3, &err), &err);
    CHECK_OK(dn_model_from_spec(&m, IN, "dense:64:relu,dense:10:linear", &err), &err);
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    CHECK_OK(dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, &sgd, 5, &err), &err);
    static float x[R * IN], plain[R * 10], packed[R * 10], fp32[R * 10], fp32_plain[R * 10];
    for (size_t r = 0; r < R; ++r) dn_dataset_get_row(data, r, x + r * IN, &err);
    const size_t rows[] = {1, 17, R};
    for (int threads = 1; threads <= 2; ++threads)
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
            size_t n = rows[i], bytes = n * 10 * sizeof *plain;
            CHECK_OK(dn_model_set_threads(m, threads, &err), &err);
            CHECK_OK(dn_model_set_precision(m, DN_PRECISION_FP32, &err), &err);
            (void)dn_model_params(m); /* drops any packing */
            CHECK_OK(dn_model_predict(m, x, n, fp32_plain, &err), &err);
            CHECK_OK(dn_model_set_precision(m, DN_PRECISION_BF16, &err), &err);
            CHECK(!dn_model_inference_prepared(m));
            CHECK_OK(dn_model_predict(m, x, n, plain, &err), &err);
            CHECK_OK(dn_model_prepare_inference(m, &err), &err);
            CHECK(dn_model_inference_prepared(m));
            CHECK_OK(dn_model_predict(m, x, n, packed, &err), &err);
            CHECK_MSG(memcmp(plain, packed, bytes) == 0,
                      "%zu rows, %d threads: bf16 with the packing differs from bf16 without it",
                      n, threads);
            /* The bf16 packing does not serve fp32 products. */
            CHECK_OK(dn_model_set_precision(m, DN_PRECISION_FP32, &err), &err);
            CHECK(!dn_model_inference_prepared(m));
            CHECK_OK(dn_model_predict(m, x, n, fp32, &err), &err);
            CHECK_MSG(memcmp(fp32, fp32_plain, bytes) == 0,
                      "%zu rows: fp32 over a bf16 packing differs from plain fp32", n);
            CHECK_MSG(memcmp(plain, fp32, bytes) != 0, "%zu rows: bf16 gave fp32's bits", n);
            /* Nor the fp32 packing bf16 products. */
            CHECK_OK(dn_model_prepare_inference(m, &err), &err);
            CHECK(dn_model_inference_prepared(m));
            CHECK_OK(dn_model_set_precision(m, DN_PRECISION_BF16, &err), &err);
            CHECK(!dn_model_inference_prepared(m));
            CHECK_OK(dn_model_predict(m, x, n, packed, &err), &err);
            CHECK_MSG(memcmp(plain, packed, bytes) == 0,
                      "%zu rows: bf16 over the fp32 packing differs from plain bf16", n);
        }
    dn_model_free(m);
    dn_dataset_free(data);
}
