/* gemm_small_m_bf16.c — bf16 tiles of the small-M kernel (gemm_small_m_bf16.h).
 *
 * Why: a one-row bf16 product in the blocked driver runs a 12×32 tile (eleven rows of zeros);
 * here a group of up to 6 rows meets up to 4 panels at a time, so one row costs one pass over the
 * bf16 weights, half the bytes of fp32. Layout read: within the K block at k0 of kc rows, the
 * panel of columns [j0, j0+32) starts at k0·N_pad + j0·kc floats and holds ⌈kc/2⌉ rows of 32
 * words, word j of pair row q = (bf16 B[k0+2q][j], bf16 B[k0+2q+1][j]) (gemm_bf16.h). */
#include "kernels/gemm_small_m_bf16.h"
#include "kernels/gemm_blocked.h"
#include "kernels/gemm_epilogue.h"
#include "kernels/gemm_packed.h"
#include "kernels/gemm_small_m.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))

#include <immintrin.h>
#include <stdint.h>

#define DN_SB_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))
#define DN_SB_INLINE __attribute__((always_inline)) inline

/* Pair rows of A per K block (kc ≤ DN_GEMM_MAX_KC): the stride of the converted A rows. */
enum { DN_SB_NR = 32, DN_SB_ROWS = 6, DN_SB_PANELS = 4, DN_SB_PAIRS = DN_GEMM_MAX_KC / 2 };

int dni_gemm_small_m_bf16_compiled(void) { return 1; }

DN_SB_TARGET static __mmask16 dn_sb_lanes(size_t count) {
    return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
}

/* Panels per group for `rows` rows, as the fp32 tiles (gemm_small_m.c): 2·rows·panels ≤ 24
 * accumulators, at least 8 for one row. */
static size_t dn_sb_panels_for(size_t rows) { return rows <= 3 ? 4 : rows == 4 ? 3 : 2; }

/* Rows [0, rows) × k [0, kc) of a (row stride lda) as pairs: out[r·DN_SB_PAIRS + q] =
 * (bf16 a[r][2q], bf16 a[r][2q+1]), the high half of an odd kc's last pair zero. VCVTNE2PS2BF16
 * rounds as the blocked driver's packing does; of two 16-float halves it yields 16 consecutive
 * pairs. */
DN_SB_TARGET static void dn_sb_pairs(const float *a, size_t lda, size_t rows, size_t kc,
                                     uint32_t *out) {
    for (size_t r = 0; r < rows; ++r)
        for (size_t k = 0; k < kc; k += 32) {
            size_t left = kc - k;
            __m512 lo = _mm512_maskz_loadu_ps(dn_sb_lanes(left), a + r * lda + k);
            __m512 hi = left > 16 ? _mm512_maskz_loadu_ps(dn_sb_lanes(left - 16), a + r * lda + k + 16)
                                  : _mm512_setzero_ps();
            __mmask16 words = dn_sb_lanes((left + 1) / 2);
            _mm512_mask_storeu_epi32(out + r * DN_SB_PAIRS + k / 2, words,
                                     (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
        }
}

/* One K block of one tile: rows r < R of the pairs a (stride DN_SB_PAIRS) times the G panels at
 * b (panel g at b + g·stride floats, pair row q 32 words after q−1), each element one VDPBF16PS
 * chain from zero over q in order; then c[r][0:n] = the sums, or c + the sums when `accumulate`.
 * R and G are constants at every call site, so the accumulators live in registers. */
DN_SB_TARGET static DN_SB_INLINE void dn_sb_tile(size_t R, size_t G, size_t pairs,
                                                 const uint32_t *a, const float *b, size_t stride,
                                                 float *c, size_t ldc, size_t n, int accumulate) {
    __m512 acc[DN_SB_ROWS][2 * DN_SB_PANELS];
#pragma GCC unroll 8
    for (size_t r = 0; r < R; ++r)
#pragma GCC unroll 8
        for (size_t q = 0; q < 2 * G; ++q) acc[r][q] = _mm512_setzero_ps();
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
#pragma GCC unroll 8
    for (size_t r = 0; r < R; ++r)
#pragma GCC unroll 8
        for (size_t v = 0; v < 2 * G; ++v) {
            size_t j = v * 16;
            if (j >= n) break;
            __mmask16 lanes = dn_sb_lanes(n - j);
            __m512 sum = acc[r][v];
            if (accumulate) sum = _mm512_add_ps(_mm512_maskz_loadu_ps(lanes, c + r * ldc + j), sum);
            _mm512_mask_storeu_ps(c + r * ldc + j, lanes, sum);
        }
}

typedef void (*dn_sb_fn)(size_t pairs, const uint32_t *a, const float *b, size_t stride, float *c,
                         size_t ldc, size_t n, int accumulate);

/* The tile shapes used: (R, dn_sb_panels_for(R)) for full groups, (R, 1) for the panels left. */
#define DN_SB_VARIANT(R, G)                                                                      \
    DN_SB_TARGET static void dn_sb_##R##_##G(size_t pairs, const uint32_t *a, const float *b,    \
                                             size_t stride, float *c, size_t ldc, size_t n,      \
                                             int accumulate) {                                   \
        dn_sb_tile(R, G, pairs, a, b, stride, c, ldc, n, accumulate);                            \
    }
DN_SB_VARIANT(1, 4) DN_SB_VARIANT(2, 4) DN_SB_VARIANT(3, 4)
DN_SB_VARIANT(4, 3) DN_SB_VARIANT(5, 2) DN_SB_VARIANT(6, 2)
DN_SB_VARIANT(1, 1) DN_SB_VARIANT(2, 1) DN_SB_VARIANT(3, 1)
DN_SB_VARIANT(4, 1) DN_SB_VARIANT(5, 1) DN_SB_VARIANT(6, 1)
#undef DN_SB_VARIANT

static const dn_sb_fn dn_sb_wide[DN_SB_ROWS] = {dn_sb_1_4, dn_sb_2_4, dn_sb_3_4,
                                                dn_sb_4_3, dn_sb_5_2, dn_sb_6_2};
static const dn_sb_fn dn_sb_one[DN_SB_ROWS] = {dn_sb_1_1, dn_sb_2_1, dn_sb_3_1,
                                               dn_sb_4_1, dn_sb_5_1, dn_sb_6_1};

/* Every row × panels [first, last) of the K block [k0, k0+kc), A already in pairs. */
static void dn_sb_block(const dn_gemm_impl *impl, const dn_gemm_problem *p, const uint32_t *pairs,
                        size_t k0, size_t kc, size_t first, size_t last) {
    for (size_t i0 = 0; i0 < p->M; i0 += DN_SB_ROWS) {
        size_t rows = p->M - i0 < DN_SB_ROWS ? p->M - i0 : DN_SB_ROWS;
        size_t group = dn_sb_panels_for(rows);
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
     * while every row group passes over them, and A is converted once per block. */
    _Alignas(64) uint32_t pairs[DN_GEMM_SMALL_M_MAX * DN_SB_PAIRS];
    size_t kc_max = dni_gemm_k_block(p->K, impl->kc);
    for (size_t k0 = 0; k0 < p->K; k0 += kc_max) {
        size_t kc = p->K - k0 < kc_max ? p->K - k0 : kc_max;
        dn_sb_pairs(p->A + k0, p->lda, p->M, kc, pairs);
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
