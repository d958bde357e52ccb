/* gemm_pack.c — scalar packing of op(A) and op(B) into the micro-kernels' k-major panels, for any
 * tile size. Each loop nest walks the source in memory order (the destination is small and hot),
 * and reads the transposed layouts directly, so no transpose is ever materialised. */
#include "kernels/gemm_pack.h"
#include "kernels/gemm_kernel.h"

#include <string.h>

/* op(A) = A [M×K]: row i of a panel is contiguous in k, so copy it into column r of the panel.
 * out [kc][mr] ← A[i0+r][k0+k]. */
static void dn_pack_a_rows(const dn_gemm_problem *p, size_t i0, size_t rows, size_t k0, size_t kc,
                        size_t mr, float *out) {
    for (size_t r = 0; r < rows; ++r) {
        const float *src = p->A + (i0 + r) * p->lda + k0;
        for (size_t k = 0; k < kc; ++k) out[k * mr + r] = src[k];
    }
    for (size_t r = rows; r < mr; ++r)
        for (size_t k = 0; k < kc; ++k) out[k * mr + r] = 0.0f;
}

/* op(A) = Aᵀ, A stored [K×M]: for a fixed k the panel's rows are contiguous in A.
 * out [kc][mr] ← A[k0+k][i0+r]. */
static void dn_pack_a_cols(const dn_gemm_problem *p, size_t i0, size_t rows, size_t k0, size_t kc,
                        size_t mr, float *out) {
    for (size_t k = 0; k < kc; ++k) {
        const float *src = p->A + (k0 + k) * p->lda + i0;
        float *dst = out + k * mr;
        memcpy(dst, src, rows * sizeof *dst);
        for (size_t r = rows; r < mr; ++r) dst[r] = 0.0f;
    }
}

void dni_gemm_pack_a_generic(const dn_gemm_problem *p, size_t i0, size_t m, size_t k0, size_t kc,
                             size_t mr, float *out) {
    for (size_t r0 = 0; r0 < m; r0 += mr) {
        size_t rows = m - r0 < mr ? m - r0 : mr;
        if (p->trans_a)
            dn_pack_a_cols(p, i0 + r0, rows, k0, kc, mr, out);
        else
            dn_pack_a_rows(p, i0 + r0, rows, k0, kc, mr, out);
        out += kc * mr;
    }
}

void dni_gemm_pack_b_generic(const dn_gemm_problem *p, size_t k0, size_t kc, size_t j0, size_t n,
                             size_t nr, float *out) {
    if (!p->trans_b) {
        /* op(B) = B [K×N]: out [kc][nr] ← B[k0+k][j0+j], rows contiguous. */
        for (size_t k = 0; k < kc; ++k) {
            float *dst = out + k * nr;
            memcpy(dst, p->B + (k0 + k) * p->ldb + j0, n * sizeof *dst);
            for (size_t j = n; j < nr; ++j) dst[j] = 0.0f;
        }
        return;
    }
    /* op(B) = Bᵀ, B stored [N×K]: out [kc][nr] ← B[j0+j][k0+k], column j contiguous in B. */
    for (size_t j = 0; j < n; ++j) {
        const float *src = p->B + (j0 + j) * p->ldb + k0;
        for (size_t k = 0; k < kc; ++k) out[k * nr + j] = src[k];
    }
    for (size_t j = n; j < nr; ++j)
        for (size_t k = 0; k < kc; ++k) out[k * nr + j] = 0.0f;
}
