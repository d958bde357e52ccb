/* test_gemm_row_edges.c — the AVX-512 driver's row-edge tiles (gemm_avx512.c: the last 1–8 rows
 * of a product run in a 4- or 8-row tile instead of the 12-row one) give, for every M from 1 to
 * 300, bitwise the sums the driver defines: per K block (dni_gemm_k_block), one FMA chain from
 * zero in k order, stored by the first block and added to C by the others. The model of that
 * order is written here in scalar fmaf, independent of every kernel; it is checked for A as
 * stored and transposed (a training step's weight gradient), over B packed once (inference,
 * where one row runs in the small-M kernel, which promises the same sums), and for 1, 2 and 3
 * threads. */
#include "test.h"

#include "core/alloc.h"
#include "kernels/gemm.h"
#include "kernels/gemm_blocked.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_packed.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { EDGE_M_MAX = 300, EDGE_N = 70, EDGE_K = 300 }; /* N: two panels and a 6-column edge */

static void fill(float *x, size_t n, uint32_t seed) {
    for (size_t i = 0; i < n; ++i) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)((double)(seed >> 8) / (double)(1u << 24) * 2.0 - 1.0);
    }
}

/* C [M×N] = A [M×K] · B [K×N] in the driver's order for K blocks of at most kc_max (see the top). */
static void model_product(size_t M, size_t N, size_t K, size_t kc_max, const float *A,
                          const float *B, float *C) {
    size_t kc = dni_gemm_k_block(K, kc_max);
    for (size_t i = 0; i < M; ++i)
        for (size_t j = 0; j < N; ++j) {
            float c = 0.0f;
            for (size_t k0 = 0; k0 < K; k0 += kc) {
                float acc = 0.0f;
                for (size_t k = k0; k < K && k < k0 + kc; ++k)
                    acc = fmaf(A[i * K + k], B[k * N + j], acc);
                c = k0 == 0 ? acc : c + acc;
            }
            C[i * N + j] = c;
        }
}

/* The first m rows of a product are those of any taller one (the model runs once for M = 300),
 * and the rows past m of the NaN-filled C must be untouched. */
static int rows_equal(const float *got, const float *want, size_t m) {
    const unsigned char *past = (const unsigned char *)(got + m * EDGE_N);
    for (size_t b = 0; b < (EDGE_M_MAX - m) * EDGE_N * sizeof(float); ++b)
        if (past[b] != 0xFF) return 0;
    return memcmp(got, want, m * EDGE_N * sizeof(float)) == 0;
}

TEST(gemm_avx512_row_edges_every_m_bitwise) {
    if (!dni_gemm_kernel_available(DN_GEMM_AVX512)) SKIP("the CPU has no AVX-512F");
    const dn_gemm_impl *impl = dni_gemm_impl_of(DN_GEMM_AVX512);
    const size_t M = EDGE_M_MAX, N = EDGE_N, K = EDGE_K;
    CHECK(dni_gemm_k_block(K, impl->kc) < K); /* several K blocks: C is added to */
    float *A = malloc(M * K * sizeof(float)), *At = malloc(K * M * sizeof(float));
    float *B = malloc(K * N * sizeof(float)), *want = malloc(M * N * sizeof(float));
    float *C = malloc(M * N * sizeof(float));
    float *packed = dni_alloc_zeroed(dni_gemm_packed_floats(impl, K, N), sizeof(float));
    fill(A, M * K, 11u);
    fill(B, K * N, 12u);
    model_product(M, N, K, impl->kc, A, B, want);
    dni_gemm_pack_b_once(impl, K, N, B, N, packed);
    size_t failures = 0;
    for (size_t m = 1; m <= M && failures < 5; ++m) {
        for (size_t i = 0; i < m; ++i) /* Aᵀ [K×m] of these m rows */
            for (size_t k = 0; k < K; ++k) At[k * m + i] = A[i * K + k];
        for (int threads = 1; threads <= 3; ++threads) {
            const char *form = NULL;
            memset(C, 0xFF, M * N * sizeof(float)); /* NaN: every output must be written */
            dni_gemm_with(DN_GEMM_AVX512, threads, 0, 0, m, N, K, A, K, B, N, 0.0f, C, N);
            if (!rows_equal(C, want, m)) form = "A·B";
            memset(C, 0xFF, M * N * sizeof(float));
            dni_gemm_with(DN_GEMM_AVX512, threads, 1, 0, m, N, K, At, m, B, N, 0.0f, C, N);
            if (form == NULL && !rows_equal(C, want, m)) form = "Aᵀ·B";
            memset(C, 0xFF, M * N * sizeof(float));
            dni_gemm_prepacked(impl, NULL, threads, m, N, K, A, K, packed, C, N, NULL);
            if (form == NULL && !rows_equal(C, want, m)) form = "A·packed B";
            failures += !CHECK_MSG(form == NULL, "M=%zu, %d threads, %s: not the driver's sums", m,
                                   threads, form);
        }
    }
    free(A), free(At), free(B), free(want), free(C);
    dni_free(packed);
}
