/* test_gemm_packed.c — products over a B packed once (kernels/gemm_packed.h), in the small-M
 * kernel (fp32: one row; bf16: up to 16) and the blocked driver (more), give bitwise the results
 * of the unpacked fused product for every kernel family the CPU runs, with 1 and 2 threads, on
 * shapes that cut K into several blocks and N into partial panels; and both match a
 * double-precision reference computed here. */
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

/* x rounded to bf16 (nearest even; no denormals or NaN among the test's values). */
static double bf16_rounded(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    u = (u + 0x7FFFu + ((u >> 16) & 1u)) & 0xFFFF0000u;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Largest |y − tanh(x·B + bias)| over the outputs, the reference summed in double (with both
 * operands rounded to bf16 first when `bf16`). */
static double reference_error(size_t M, size_t N, size_t K, const float *A, const float *B,
                              const float *bias, const float *y, int bf16) {
    double worst = 0.0;
    for (size_t i = 0; i < M; ++i)
        for (size_t j = 0; j < N; ++j) {
            double s = bias[j];
            for (size_t k = 0; k < K; ++k)
                s += bf16 ? bf16_rounded(A[i * K + k]) * bf16_rounded(B[k * N + j])
                          : (double)A[i * K + k] * (double)B[k * N + j];
            double e = fabs(tanh(s) - (double)y[i * N + j]);
            worst = e > worst ? e : worst;
        }
    return worst;
}

/* One shape on one family: packed and unpacked fused (1, 2 and 3 threads) against the blocked
 * driver's product with the family `reference` (the kernel itself for fp32; the portable
 * emulation for a bf16 family), bit for bit. */
static void check_shape_against(dn_gemm_kernel kernel, dn_gemm_kernel reference, size_t M,
                                size_t N, size_t K) {
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
    dni_gemm_with(reference, 1, 0, 0, M, N, K, A, K, B, N, 0.0f, pre_ref, N);
    for (size_t i = 0; i < M; ++i)
        for (size_t j = 0; j < N; ++j) pre_ref[i * N + j] += bias[j];
    dni_activation_forward(DN_ACT_TANH, pre_ref, y_ref, M, N, 1);
    dn_gemm_epilogue e = {bias, DN_ACT_TANH, y, N, NULL, 0, 0, 1.0f, NULL, NULL, NULL, NULL};
    dni_gemm_pack_b_once(impl, K, N, B, N, packed);
    for (int run = 0; run < 6; ++run) { /* packed or in place (fused), 1, 2 or 3 threads */
        int threads = 1 + run % 3;
        memset(y, 0xFF, M * N * sizeof(float)); /* NaN: every output must be written */
        memset(pre, 0xFF, M * N * sizeof(float));
        if (run < 3) dni_gemm_prepacked(impl, NULL, threads, M, N, K, A, K, packed, pre, N, &e);
        else dni_gemm_fused(kernel, NULL, threads, M, N, K, A, K, B, N, pre, N, &e);
        CHECK_MSG(memcmp(pre, pre_ref, M * N * sizeof(float)) == 0 &&
                      memcmp(y, y_ref, M * N * sizeof(float)) == 0,
                  "%s M=%zu N=%zu K=%zu threads=%d %s: differs from the blocked driver",
                  dni_gemm_kernel_name(kernel), M, N, K, threads, run < 3 ? "packed" : "in place");
    }
    double err = reference_error(M, N, K, A, B, bias, y, impl->packs_pairs);
    CHECK_MSG(err <= 1e-5 * sqrt((double)K), "%s M=%zu N=%zu K=%zu: %g from the double reference",
              dni_gemm_kernel_name(kernel), M, N, K, err);
    free(A), free(B), free(bias), free(pre_ref), free(y_ref), free(pre), free(y);
    dni_free(packed);
}

static void check_shape(dn_gemm_kernel kernel, size_t M, size_t N, size_t K) {
    check_shape_against(kernel, kernel, M, N, K);
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

/* bf16: the small-M kernel's VDPBF16PS tiles over the bf16 pair panels (gemm_small_m_bf16.c, 1–16
 * rows) and the blocked driver above 16 rows, against the portable emulation (gemm_bf16.c)
 * through the blocked driver: bitwise, 1–3 threads; and against a double reference of the
 * bf16-rounded operands. Odd K (an odd last pair), K cut into 1–4 blocks, partial panels. The
 * portable family runs everywhere; the AVX512_BF16 one where CPUID has it (gemm_bf16's
 * gemm_bf16_dispatch test says which). */
TEST(gemm_packed_bf16_small_m_equals_emulation) {
    const size_t ms[] = {1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 16, 17};
    const size_t ns[] = {1, 10, 32, 33, 100, 200};
    const size_t ks[] = {1, 9, 300, 784};
    const dn_gemm_kernel kernels[] = {DN_GEMM_AVX512_BF16, DN_GEMM_BF16};
    for (size_t f = 0; f < sizeof kernels / sizeof kernels[0]; ++f) {
        if (!dni_gemm_kernel_available(kernels[f])) continue;
        for (size_t a = 0; a < sizeof ms / sizeof ms[0]; ++a)
            for (size_t b = 0; b < sizeof ns / sizeof ns[0]; ++b)
                for (size_t c = 0; c < sizeof ks / sizeof ks[0]; ++c)
                    check_shape_against(kernels[f], DN_GEMM_BF16, ms[a], ns[b], ks[c]);
    }
    /* W2's layers, one row split across threads. */
    if (dni_gemm_kernel_available(DN_GEMM_AVX512_BF16)) {
        check_shape_against(DN_GEMM_AVX512_BF16, DN_GEMM_BF16, 1, 1024, 784);
        check_shape_against(DN_GEMM_AVX512_BF16, DN_GEMM_BF16, 16, 1024, 1024);
    }
}
