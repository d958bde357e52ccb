/* gemm_packed.c — B packed once for many products (gemm_packed.h), and the products over it. */
#include "kernels/gemm_packed.h"
#include "kernels/gemm_blocked.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_small_m.h"

static size_t dn_padded_columns(const dn_gemm_impl *impl, size_t N) {
    return (N + impl->nr - 1) / impl->nr * impl->nr;
}

size_t dni_gemm_packed_floats(const dn_gemm_impl *impl, size_t K, size_t N) {
    return K * dn_padded_columns(impl, N) + DN_GEMM_PREFETCH_SLACK;
}

size_t dni_gemm_packed_offset(const dn_gemm_impl *impl, size_t N, size_t k0, size_t kc,
                              size_t j0) {
    return k0 * dn_padded_columns(impl, N) + j0 * kc;
}

void dni_gemm_pack_b_once(const dn_gemm_impl *impl, size_t K, size_t N, const float *B, size_t ldb,
                          float *out) {
    dn_gemm_problem p = {0, 0, 0, N, K, NULL, 0, B, ldb, 0.0f, NULL, 0, NULL, NULL};
    size_t kc_max = dni_gemm_k_block(K > 0 ? K : 1, impl->kc), nr = impl->nr;
    for (size_t k0 = 0; k0 < K; k0 += kc_max) {
        size_t kc = K - k0 < kc_max ? K - k0 : kc_max;
        for (size_t j0 = 0; j0 < N; j0 += nr)
            impl->pack_b(&p, k0, kc, j0, N - j0 < nr ? N - j0 : nr, nr,
                         out + dni_gemm_packed_offset(impl, N, k0, kc, j0));
    }
}

void dni_gemm_prepacked(const dn_gemm_impl *impl, const dn_gemm_workspace *ws, int threads,
                        size_t M, size_t N, size_t K, const float *A, size_t lda,
                        const float *packed, float *C, size_t ldc,
                        const dn_gemm_epilogue *epilogue) {
    dn_gemm_problem p = {0, 0, M, N, K, A, lda, NULL, 0, 0.0f, C, ldc, epilogue, packed};
    if (dni_gemm_small_m(impl, &p, threads)) return;
    dni_gemm_blocked(impl, threads, &p, ws);
}
