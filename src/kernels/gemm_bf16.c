/* gemm_bf16.c — bf16 products in portable C: packing into bf16 pairs and a 4×16 micro-kernel
 * that reproduces VDPBF16PS step by step (bf16.h).
 *
 * Why the same bits as the AVX512_BF16 kernel: both pack the same pairs, both start every tile
 * element at 0 for each K block and apply, pair after pair in k order, the same two rounded adds
 * of exact products, then add the block's sum to C as the fp32 kernels do; the driver fixes the
 * K blocks from K alone (kc 256 for both). So a bf16 product is bit-identical across these two
 * kernels and across thread counts — tests/test_gemm_bf16.c checks it, ties, denormals and
 * underflowing products included.
 * One exception, beyond any trained network: when a partial sum overflows fp32 (|x| > 3.4e38),
 * the emulation gives ±inf as Intel's definition of VDPBF16PS does, but the AMD EPYC (Zen 5) this
 * was developed on returns a finite sum (its intermediate keeps a wider exponent). Training
 * stops on a non-finite loss long before. */
#include "kernels/gemm_bf16.h"
#include "kernels/bf16.h"
#include "kernels/gemm_kernel.h"

#include <stdint.h>

enum { DN_BF16_MR = 4, DN_BF16_NR = 16, DN_BF16_KC = 256 };

/* The pair of (lo, hi) bf16 values as one word. */
static uint32_t dn_pair(float lo, float hi) {
    return (uint32_t)dni_bf16_from_float(lo) | (uint32_t)dni_bf16_from_float(hi) << 16;
}

/* out [⌈kc/2⌉][width] pairs of op(X)[k][x] = src[k·k_step + x·x_step], k < kc (the high half of
 * an odd kc's last pair zero), x < valid (columns valid..width−1 zero). */
static void dn_pack_pairs(const float *src, size_t k_step, size_t x_step, size_t kc, size_t valid,
                          size_t width, uint32_t *out) {
    for (size_t q = 0; q < (kc + 1) / 2; ++q) {
        const float *lo = src + 2 * q * k_step;
        int has_hi = 2 * q + 1 < kc;
        for (size_t x = 0; x < width; ++x)
            out[q * width + x] = x < valid ? dn_pair(lo[x * x_step],
                                                     has_hi ? lo[k_step + x * x_step] : 0.0f)
                                           : 0u;
    }
}

void dni_gemm_bf16_pack_a(const dn_gemm_problem *p, size_t i0, size_t m, size_t k0, size_t kc,
                          size_t mr, float *out) {
    /* op(A)[i][k] is A[i][k], or A[k][i] with trans_a. */
    if (p->trans_a)
        dn_pack_pairs(p->A + k0 * p->lda + i0, p->lda, 1, kc, m, mr, (uint32_t *)(void *)out);
    else
        dn_pack_pairs(p->A + i0 * p->lda + k0, 1, p->lda, kc, m, mr, (uint32_t *)(void *)out);
}

void dni_gemm_bf16_pack_b(const dn_gemm_problem *p, size_t k0, size_t kc, size_t j0, size_t n,
                          size_t nr, float *out) {
    /* op(B)[k][j] is B[k][j], or B[j][k] with trans_b. */
    if (p->trans_b)
        dn_pack_pairs(p->B + j0 * p->ldb + k0, 1, p->ldb, kc, n, nr, (uint32_t *)(void *)out);
    else
        dn_pack_pairs(p->B + k0 * p->ldb + j0, p->ldb, 1, kc, n, nr, (uint32_t *)(void *)out);
}

/* tile [4×16] = a [⌈kc/2⌉][4 pairs] · b [⌈kc/2⌉][16 pairs], one dni_bf16_dot_step per pair;
 * then c[m×n] = or += tile (see dn_gemm_micro_fn; a_step counts words per pair row). */
static void dn_gemm_bf16_micro(size_t kc, const float *a_floats, size_t a_step,
                               const float *b_floats, float *c, size_t ldc, size_t m, size_t n,
                               int accumulate) {
    const uint32_t *a = (const uint32_t *)(const void *)a_floats;
    const uint32_t *b = (const uint32_t *)(const void *)b_floats;
    float tile[DN_BF16_MR][DN_BF16_NR] = {{0.0f}};
    for (size_t q = 0; q < (kc + 1) / 2; ++q) {
        const uint32_t *aq = a + q * a_step, *bq = b + q * DN_BF16_NR;
        for (int i = 0; i < DN_BF16_MR; ++i)
            for (int j = 0; j < DN_BF16_NR; ++j) tile[i][j] = dni_bf16_dot_step(tile[i][j], aq[i], bq[j]);
    }
    for (size_t i = 0; i < m; ++i) {
        float *row = c + i * ldc;
        for (size_t j = 0; j < n; ++j) row[j] = accumulate ? row[j] + tile[i][j] : tile[i][j];
    }
}

static const dn_gemm_impl dn_bf16_impl = {
    .kernel = DN_GEMM_BF16,
    .mr = DN_BF16_MR,
    .nr = DN_BF16_NR,
    .kc = DN_BF16_KC,
    .nc = 512,
    .micro = dn_gemm_bf16_micro,
    .pack_a = dni_gemm_bf16_pack_a,
    .pack_b = dni_gemm_bf16_pack_b,
    .packs_pairs = 1,
};

const dn_gemm_impl *dni_gemm_impl_bf16(void) { return &dn_bf16_impl; }
