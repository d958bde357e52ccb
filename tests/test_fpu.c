/* test_fpu.c — denormals are flushed while dropnet computes, and the caller's mode comes back. */
#include "test.h"

#include "dropnet.h"

#if defined(__x86_64__) || defined(__SSE__)
#include <xmmintrin.h>

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
    CHECK_MSG(_mm_getcsr() == before, "MXCSR changed from %#x to %#x", before, _mm_getcsr());
    /* A normal product is untouched. */
    w[0] = 0.5f;
    CHECK_OK(dn_model_predict(m, &x, 1, &y, &err), &err);
    CHECK(y == 0.5f * 1e-20f);
    dn_model_free(m);
}
#endif
