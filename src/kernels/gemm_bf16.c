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

void dni_gemm_bf16_pack_a(const dn_gemm_problem *p, size_t i0, size_t m, size_t k0, size_t kc,
                          size_t mr, float *out_floats) {
    uint32_t *out = (uint32_t *)(void *)out_floats;
    size_t pairs = (kc + 1) / 2;
    for (size_t q = 0; q < pairs; ++q) {
        size_t k = k0 + 2 * q;
        int has_hi = 2 * q + 1 < kc;
        for (size_t r = 0; r < mr; ++r) {
            float lo = 0.0f, hi = 0.0f;
            if (r < m && p->trans_a) {
                lo = p->A[k * p->lda + i0 + r];
                if (has_hi) hi = p->A[(k + 1) * p->lda + i0 + r];
            } else if (r < m) {
                lo = p->A[(i0 + r) * p->lda + k];
                if (has_hi) hi = p->A[(i0 + r) * p->lda + k + 1];
            }
            out[q * mr + r] = dn_pair(lo, hi);
        }
    }
}

void dni_gemm_bf16_pack_b(const dn_gemm_problem *p, size_t k0, size_t kc, size_t j0, size_t n,
                          size_t nr, float *out_floats) {
    uint32_t *out = (uint32_t *)(void *)out_floats;
    size_t pairs = (kc + 1) / 2;
    for (size_t q = 0; q < pairs; ++q) {
        size_t k = k0 + 2 * q;
        int has_hi = 2 * q + 1 < kc;
        for (size_t j = 0; j < nr; ++j) {
            float lo = 0.0f, hi = 0.0f;
            if (j < n && p->trans_b) {
                lo = p->B[(j0 + j) * p->ldb + k];
                if (has_hi) hi = p->B[(j0 + j) * p->ldb + k + 1];
            } else if (j < n) {
                lo = p->B[k * p->ldb + j0 + j];
                if (has_hi) hi = p->B[(k + 1) * p->ldb + j0 + j];
            }
            out[q * nr + j] = dn_pair(lo, hi);
        }
    }
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
