/* gemm_portable.c — the plain C micro-kernel: correct on every target, and what the SIMD kernels
 * fall back to. The 4×8 tile is small enough for a compiler to keep in SSE/NEON registers and
 * vectorise along j. */
#include "kernels/gemm_portable.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_pack.h"

enum { DN_PORTABLE_MR = 4, DN_PORTABLE_NR = 8 };

/* tile [4×8] = a [kc][4] · b [kc][8] (a's k step a_step); then c[m×n] = or += tile
 * (see dn_gemm_micro_fn). */
static void dn_gemm_portable_micro(size_t kc, const float *a, size_t a_step, const float *b,
                                   float *c, size_t ldc, size_t m, size_t n, int accumulate) {
    float tile[DN_PORTABLE_MR][DN_PORTABLE_NR] = {{0.0f}};
    for (size_t k = 0; k < kc; ++k) {
        const float *ak = a + k * a_step, *bk = b + k * DN_PORTABLE_NR;
        for (int i = 0; i < DN_PORTABLE_MR; ++i)
            for (int j = 0; j < DN_PORTABLE_NR; ++j) tile[i][j] += ak[i] * bk[j];
    }
    for (size_t i = 0; i < m; ++i) {
        float *row = c + i * ldc;
        for (size_t j = 0; j < n; ++j) row[j] = accumulate ? row[j] + tile[i][j] : tile[i][j];
    }
}

static const dn_gemm_impl dn_portable_impl = {
    .kernel = DN_GEMM_PORTABLE,
    .mr = DN_PORTABLE_MR,
    .nr = DN_PORTABLE_NR,
    .kc = 256,
    .nc = 512,
    .micro = dn_gemm_portable_micro,
    .pack_a = dni_gemm_pack_a_generic,
    .pack_b = dni_gemm_pack_b_generic,
};

const dn_gemm_impl *dni_gemm_impl_portable(void) { return &dn_portable_impl; }
