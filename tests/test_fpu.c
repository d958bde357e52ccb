/* test_fpu.c — denormals are flushed while dropnet computes, and the caller's mode comes back. */
#include "test.h"

#include "dropnet.h"

#if defined(__x86_64__) || defined(__SSE__)
#include <stdlib.h>
#include <xmmintrin.h>
#ifdef _OPENMP
#include <omp.h>
#endif

TEST(denormal_products_flush_to_zero_and_caller_mode_is_restored) {
    dn_error err;
    dn_model *m = NULL;
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    if (dn_model_from_spec(&m, 1, "dense:1:linear", &err) ||
        dn_model_compile(m, DN_LOSS_MEAN_SQUARED_ERROR, &sgd, 1, &err)) {
        dn_test_fail(__FILE__, __LINE__, "setup: %s", err.message);
        dn_model_free(m);
        return;
    }
    float *w = dn_model_params(m); /* kernel [1×1], bias [1] */
    w[0] = 1e-20f;
    w[1] = 0.0f;
    const float x = 1e-20f;
    float y = -1.0f;
    unsigned before = _mm_getcsr();
    CHECK_OK(dn_model_predict(m, &x, 1, &y, &err), &err);
    /* 1e-20 · 1e-20 = 1e-40 is denormal: flushed to exactly 0 (core/fpu.h). */
    CHECK_MSG(y == 0.0f, "1e-20 x 1e-20 gave %g, expected 0 (flushed)", (double)y);
    /* Control bits only: the six sticky exception flags (0x3f) are not ours to keep, and LLVM's
     * OpenMP runtime resets them on the primary thread at the end of a parallel region. */
    CHECK_MSG((_mm_getcsr() & ~0x3fu) == (before & ~0x3fu), "MXCSR changed from %#x to %#x",
              before, _mm_getcsr());
    /* A normal product is untouched. */
    w[0] = 0.5f;
    CHECK_OK(dn_model_predict(m, &x, 1, &y, &err), &err);
    CHECK(y == 0.5f * 1e-20f);
    dn_model_free(m);
}
/* The worker threads of a pass get their own mode back too (a dropout chunk loop once skipped
 * the restore on its vector path). */
TEST(worker_threads_keep_their_floating_point_mode) {
    enum { ROWS = 32, COLS = 4096 }; /* 2^17 dropout elements: split across threads */
    dn_error err;
    dn_model *m = NULL;
    float *x = calloc(ROWS * COLS, sizeof *x);
    CHECK_OK(dn_model_from_spec(&m, COLS, "dropout:0.5,dense:8:relu,dense:2:softmax", &err), &err);
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    if (m == NULL || x == NULL ||
        dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 1, &err) != DN_OK ||
        dn_model_set_threads(m, 2, &err) != DN_OK) {
        dn_test_fail(__FILE__, __LINE__, "setup: %s", err.message);
    } else {
        CHECK_OK(dn_model_forward(m, x, ROWS, DN_MODE_TRAINING, 1, NULL, &err), &err);
        unsigned modes[2] = {0, 0};
#ifdef _OPENMP
#pragma omp parallel num_threads(2)
        modes[omp_get_thread_num() & 1] = _mm_getcsr();
#endif
        CHECK_MSG(!(modes[0] & 0x8040) && !(modes[1] & 0x8040),
                  "threads left in flush-to-zero mode: %#x %#x", modes[0], modes[1]);
    }
    dn_model_free(m);
    free(x);
}
#endif
