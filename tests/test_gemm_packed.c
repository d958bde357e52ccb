/* test_gemm_packed.c — products over a B packed once (kernels/gemm_packed.h), in the small-M
 * kernel (up to 16 rows) and the blocked driver (more), give bitwise the results of the unpacked
 * fused product for every kernel family the CPU runs, with 1 and 2 threads, on shapes that cut
 * K into several blocks and N into partial panels; and both match a double-precision reference
 * computed here. */
#include "test.h"

#include "dropnet.h"
#include "core/alloc.h"
#include "kernels/activation.h"
#include "kernels/gemm.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_packed.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fill(float *x, size_t n, uint32_t seed) {
    for (size_t i = 0; i < n; ++i) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)((double)(seed >> 8) / (double)(1u << 24) * 2.0 - 1.0);
    }
}

/* Largest |y − tanh(x·B + bias)| over the outputs, the reference summed in double. */
static double reference_error(size_t M, size_t N, size_t K, const float *A, const float *B,
                              const float *bias, const float *y) {
    double worst = 0.0;
    for (size_t i = 0; i < M; ++i)
        for (size_t j = 0; j < N; ++j) {
            double s = bias[j];
            for (size_t k = 0; k < K; ++k) s += (double)A[i * K + k] * (double)B[k * N + j];
            double e = fabs(tanh(s) - (double)y[i * N + j]);
            worst = e > worst ? e : worst;
        }
    return worst;
}

/* One shape on one family: packed (1 and 2 threads) against unpacked fused, bit for bit. */
static void check_shape(dn_gemm_kernel kernel, size_t M, size_t N, size_t K) {
    const dn_gemm_impl *impl = dni_gemm_impl_of(kernel);
    float *A = malloc(M * K * sizeof(float)), *B = malloc(K * N * sizeof(float));
    float *bias = malloc(N * sizeof(float));
    float *pre_ref = calloc(M * N, sizeof(float)), *y_ref = calloc(M * N, sizeof(float));
    float *pre = calloc(M * N, sizeof(float)), *y = calloc(M * N, sizeof(float));
    float *packed = dni_alloc_zeroed(dni_gemm_packed_floats(impl, K, N), sizeof(float));
    fill(A, M * K, (uint32_t)(M * 7 + K));
    fill(B, K * N, (uint32_t)(N * 13 + K));
    fill(bias, N, (uint32_t)N);
    /* The reference: the blocked driver's product (dni_gemm_with never takes the small-M kernel),
     * then bias and activation as separate passes. */
    dni_gemm_with(kernel, 1, 0, 0, M, N, K, A, K, B, N, 0.0f, pre_ref, N);
    for (size_t i = 0; i < M; ++i)
        for (size_t j = 0; j < N; ++j) pre_ref[i * N + j] += bias[j];
    dni_activation_forward(DN_ACT_TANH, pre_ref, y_ref, M, N, 1);
    dn_gemm_epilogue e = {bias, DN_ACT_TANH, y, N, NULL, 0, 0, 1.0f, NULL, NULL, NULL, NULL};
    dni_gemm_pack_b_once(impl, K, N, B, N, packed);
    for (int run = 0; run < 4; ++run) { /* packed or in place (fused), 1 or 2 threads */
        int threads = 1 + run % 2;
        memset(y, 0xFF, M * N * sizeof(float)); /* NaN: every output must be written */
        memset(pre, 0xFF, M * N * sizeof(float));
        if (run < 2) dni_gemm_prepacked(impl, NULL, threads, M, N, K, A, K, packed, pre, N, &e);
        else dni_gemm_fused(kernel, NULL, threads, M, N, K, A, K, B, N, pre, N, &e);
        CHECK_MSG(memcmp(pre, pre_ref, M * N * sizeof(float)) == 0 &&
                      memcmp(y, y_ref, M * N * sizeof(float)) == 0,
                  "%s M=%zu N=%zu K=%zu threads=%d %s: differs from the blocked driver",
                  dni_gemm_kernel_name(kernel), M, N, K, threads, run < 2 ? "packed" : "in place");
    }
    double err = reference_error(M, N, K, A, B, bias, y);
    CHECK_MSG(err <= 1e-5 * sqrt((double)K), "%s M=%zu N=%zu K=%zu: %g from the double reference",
              dni_gemm_kernel_name(kernel), M, N, K, err);
    free(A), free(B), free(bias), free(pre_ref), free(y_ref), free(pre), free(y);
    dni_free(packed);
}

TEST(gemm_packed_equals_unpacked_bitwise) {
    const size_t ms[] = {1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 16, 17, 40};
    const size_t ns[] = {1, 10, 32, 33, 100, 200};
    const size_t ks[] = {1, 9, 300, 784};
    const dn_gemm_kernel kernels[] = {DN_GEMM_AVX512, DN_GEMM_AVX2, DN_GEMM_PORTABLE};
    for (size_t f = 0; f < sizeof kernels / sizeof kernels[0]; ++f) {
        if (!dni_gemm_kernel_available(kernels[f])) continue;
        for (size_t a = 0; a < sizeof ms / sizeof ms[0]; ++a)
            for (size_t b = 0; b < sizeof ns / sizeof ns[0]; ++b)
                for (size_t c = 0; c < sizeof ks / sizeof ks[0]; ++c)
                    check_shape(kernels[f], ms[a], ns[b], ks[c]);
    }
}

/* The shapes of the W2 network's first layer, where a one-row product splits across threads. */
TEST(gemm_packed_w2_layer_one_row) {
    check_shape(dni_gemm_kernel_resolve(DN_GEMM_AUTO), 1, 1024, 784);
    check_shape(dni_gemm_kernel_resolve(DN_GEMM_AUTO), 3, 1024, 1024);
}
