/* gemm_small_m_bf16.c — bf16 tiles of the small-M kernel (gemm_small_m_bf16.h).
 *
 * Why: a one-row bf16 product in the blocked driver runs a 12×32 tile (eleven rows of zeros);
 * here a group of up to 6 rows meets up to 4 panels at a time, so one row costs one pass over the
 * bf16 weights, half the bytes of fp32. Layout read: within the K block at k0 of kc rows, the
 * panel of columns [j0, j0+32) starts at k0·N_pad + j0·kc floats and holds ⌈kc/2⌉ rows of 32
 * words, word j of pair row q = (bf16 B[k0+2q][j], bf16 B[k0+2q+1][j]) (gemm_bf16.h). */
#include "kernels/gemm_small_m_bf16.h"
#include "kernels/gemm_avx512_bf16.h"
#include "kernels/gemm_blocked.h"
#include "kernels/gemm_epilogue.h"
#include "kernels/gemm_packed.h"
#include "kernels/gemm_small_m.h"
#include "kernels/gemm_small_m_tiles.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))

#include <immintrin.h>
#include <stdint.h>

#define DN_SB_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))
#define DN_SB_INLINE __attribute__((always_inline)) inline

/* Pair rows of A per K block (kc ≤ DN_GEMM_MAX_KC): the stride of the converted A rows. */
enum {
    DN_SB_NR = 32,
    DN_SB_ROWS = DN_SMALL_M_ROWS,
    DN_SB_PANELS = DN_SMALL_M_PANELS,
    DN_SB_PAIRS = DN_GEMM_MAX_KC / 2
};

int dni_gemm_small_m_bf16_compiled(void) { return 1; }

DN_SB_TARGET static __mmask16 dn_sb_lanes(size_t count) {
    return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
}

/* One K block of one tile: rows r < R of the pairs a (stride DN_SB_PAIRS) times the G panels at
 * b (panel g at b + g·stride floats, pair row q 32 words after q−1), each element one VDPBF16PS
 * chain from zero over q in order; then c[r][0:n] = the sums, or c + the sums when `accumulate`.
 * R and G are constants at every call site, so the accumulators live in registers. */
DN_SB_TARGET static DN_SB_INLINE void dn_sb_tile(size_t R, size_t G, size_t pairs,
                                                 const uint32_t *a, const float *b, size_t stride,
                                                 float *c, size_t ldc, size_t n, int accumulate) {
    DN_SMALL_M_ACC(acc, R, G);
    for (size_t q = 0; q < pairs; ++q) {
        __m512bh bv[2 * DN_SB_PANELS];
#pragma GCC unroll 8
        for (size_t g = 0; g < G; ++g) { /* packed panels: aligned, zero past column N */
            bv[2 * g] = (__m512bh)_mm512_load_ps(b + g * stride + q * DN_SB_NR);
            bv[2 * g + 1] = (__m512bh)_mm512_load_ps(b + g * stride + q * DN_SB_NR + 16);
        }
#pragma GCC unroll 8
        for (size_t r = 0; r < R; ++r) {
            __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[r * DN_SB_PAIRS + q]);
#pragma GCC unroll 8
            for (size_t v = 0; v < 2 * G; ++v) acc[r][v] = _mm512_dpbf16_ps(acc[r][v], av, bv[v]);
        }
    }
    DN_SMALL_M_WRITE(acc, R, G, c, ldc, n, accumulate, dn_sb_lanes);
}

typedef void (*dn_sb_fn)(size_t pairs, const uint32_t *a, const float *b, size_t stride, float *c,
                         size_t ldc, size_t n, int accumulate);

#define DN_SB_VARIANT(R, G)                                                                      \
    DN_SB_TARGET static void dn_sb_##R##_##G(size_t pairs, const uint32_t *a, const float *b,    \
                                             size_t stride, float *c, size_t ldc, size_t n,      \
                                             int accumulate) {                                   \
        dn_sb_tile(R, G, pairs, a, b, stride, c, ldc, n, accumulate);                            \
    }
DN_SMALL_M_SHAPES(DN_SB_VARIANT)
#undef DN_SB_VARIANT
DN_SMALL_M_TABLES(dn_sb_fn, dn_sb);

/* Every row × panels [first, last) of the K block [k0, k0+kc), A already in pairs. */
static void dn_sb_block(const dn_gemm_impl *impl, const dn_gemm_problem *p, const uint32_t *pairs,
                        size_t k0, size_t kc, size_t first, size_t last) {
    for (size_t i0 = 0; i0 < p->M; i0 += DN_SB_ROWS) {
        size_t rows = p->M - i0 < DN_SB_ROWS ? p->M - i0 : DN_SB_ROWS;
        size_t group = dni_small_m_panels_for(rows);
        for (size_t q = first; q < last;) {
            size_t panels = q + group <= last ? group : 1;
            dn_sb_fn fn = panels == 1 ? dn_sb_one[rows - 1] : dn_sb_wide[rows - 1];
            size_t j0 = q * DN_SB_NR;
            size_t n = p->N - j0 < panels * DN_SB_NR ? p->N - j0 : panels * DN_SB_NR;
            fn((kc + 1) / 2, pairs + i0 * DN_SB_PAIRS,
               p->packed_b + dni_gemm_packed_offset(impl, p->N, k0, kc, j0), kc * DN_SB_NR,
               p->C + i0 * p->ldc + j0, p->ldc, n, k0 > 0);
            q += panels;
        }
    }
}

void dni_gemm_small_m_bf16_range(const dn_gemm_impl *impl, const dn_gemm_problem *p, size_t first,
                                 size_t last) {
    /* K blocks outermost: a block's panels (≤ 256 KiB per thread for W2's layers) stay in L2
     * while every row group passes over them, and A is rounded to pairs once per block (as the
     * family's packing rounds it). */
    _Alignas(64) uint32_t pairs[DN_GEMM_SMALL_M_MAX * DN_SB_PAIRS];
    size_t kc_max = dni_gemm_k_block(p->K, impl->kc);
    for (size_t k0 = 0; k0 < p->K; k0 += kc_max) {
        size_t kc = p->K - k0 < kc_max ? p->K - k0 : kc_max;
        dni_gemm_avx512_bf16_row_pairs(p->A + k0, p->lda, p->M, kc, pairs, DN_SB_PAIRS);
        dn_sb_block(impl, p, pairs, k0, kc, first, last);
    }
    size_t j0 = first * DN_SB_NR, j1 = last * DN_SB_NR < p->N ? last * DN_SB_NR : p->N;
    if (p->epilogue != NULL && j1 > j0) dni_gemm_epilogue_apply(p, 0, p->M, j0, j1 - j0);
}

#else

int dni_gemm_small_m_bf16_compiled(void) { return 0; }

void dni_gemm_small_m_bf16_range(const dn_gemm_impl *impl, const dn_gemm_problem *p, size_t first,
                                 size_t last) {
    (void)impl, (void)p, (void)first, (void)last;
}

#endif
