/* gemm_avx512_bf16.c — bf16 products with VDPBF16PS (AVX512_BF16): a 12×32 register tile of
 * fp32 sums, each instruction adding two k steps (a bf16 pair) to 16 of them.
 *
 * Same packed pairs and same per-element order of rounded adds as the portable bf16 family
 * (gemm_bf16.c), hence the same bits; functions here carry target attributes so the rest of the
 * build stays baseline x86-64, and run only after CPUID (cpu.h) says AVX512_BF16 runs.
 *
 * Tile: 24 zmm accumulators, 2 of B, 1 broadcast pair of A, as the fp32 AVX-512 kernel; per pair
 * step 2 loads of B and 12 broadcasts feed 24 VDPBF16PS = 48 fp32-FMA equivalents. */
#include "kernels/gemm_avx512_bf16.h"
#include "kernels/gemm_avx512.h"
#include "kernels/gemm_bf16.h"
#include "kernels/gemm_kernel.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))

#include <immintrin.h>
#include <stdint.h>

#include "kernels/gemm_avx512_tile.h"

#define DN_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))

/* kc 256 as the portable bf16 family (the K blocks must match for equal bits); the B block of
 * 1024 columns is 512 KiB of pairs, half the fp32 kernel's. */
enum { DN_AB_MR = 12, DN_AB_NR = 32, DN_AB_KC = 256, DN_AB_NC = 1024 };

DN_BF16_TARGET static __mmask16 dn_ab_lanes(size_t count) {
    return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
}

#define DN_ROW2(r)                                                                              \
    do {                                                                                        \
        __m512bh a_ = (__m512bh)_mm512_set1_epi32((int)aq[r]);                                  \
        c##r##_0 = _mm512_dpbf16_ps(c##r##_0, a_, b0);                                          \
        c##r##_1 = _mm512_dpbf16_ps(c##r##_1, a_, b1);                                          \
    } while (0)
/* tile [12×32] = a [⌈kc/2⌉][12 pairs, step a_step] · b [⌈kc/2⌉][32 pairs]; c[m×n] = or +=. */
DN_BF16_TARGET static void dn_gemm_avx512_bf16_micro(size_t kc, const float *a_floats,
                                                     size_t a_step, const float *b_floats,
                                                     float *c, size_t ldc, size_t m, size_t n,
                                                     int accumulate) {
    const uint32_t *a = (const uint32_t *)(const void *)a_floats;
    const float *b = b_floats;
    DN_TILE_DECLARE_ALL();
    for (size_t i = 0; i < m; ++i) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        if (n > 16) _mm_prefetch((const char *)(c + i * ldc + 16), _MM_HINT_T0);
    }
    const size_t pairs = (kc + 1) / 2;
    /* A last tile of at most 8 rows (128 = 10·12 + 8) runs only its rows: every element's chain
     * of dot steps is the same either way. */
#define DN_PAIR_LOOP(ROWS)                                                                      \
    for (size_t q = 0; q < pairs; ++q, b += DN_AB_NR) {                                         \
        const uint32_t *aq = a + q * a_step;                                                    \
        _mm_prefetch((const char *)(b + 16 * DN_AB_NR), _MM_HINT_T0);                           \
        _mm_prefetch((const char *)(b + 16 * DN_AB_NR + 16), _MM_HINT_T0);                      \
        __m512bh b0 = (__m512bh)_mm512_load_ps(b), b1 = (__m512bh)_mm512_load_ps(b + 16);       \
        ROWS(DN_ROW2);                                                                          \
    }
    if (m <= 8) {
        DN_PAIR_LOOP(DN_TILE_ROWS8);
    } else {
        DN_PAIR_LOOP(DN_TILE_ROWS);
    }
#undef DN_PAIR_LOOP
    DN_TILE_WRITE(dn_ab_lanes);
}

#undef DN_ROW2

/* ---- packing ----------------------------------------------------------------------------- */

/* 16 pairs (lo[i], hi[i]) as 16 words, both rounded as dni_bf16_from_float rounds (VCVTNE2PS2BF16:
 * nearest even, denormals read as zero). The conversion puts lo's 16 bf16 below hi's; the
 * permutation interleaves them. */
DN_BF16_TARGET static __m512 dn_pairs16(__m512 lo, __m512 hi) {
    const __m512i interleave = _mm512_set_epi16(
        31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
        23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    __m512i halves = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
    return _mm512_castsi512_ps(_mm512_permutexvar_epi16(interleave, halves));
}

/* `count` k-major source rows (row k at src + k·ld, `width` ≤ 16 floats used): pair rows
 * out[q·out_step + c] = (src[2q][c], src[2q+1][c]) for c < panel (≤ 16), q < ⌈count/2⌉; lanes
 * past width are zero. */
DN_BF16_TARGET static void dn_pack_kmajor(const float *src, size_t ld, size_t count, size_t width,
                                          size_t panel, uint32_t *out, size_t out_step) {
    const __mmask16 lanes = dn_ab_lanes(width), stored = dn_ab_lanes(panel);
    for (size_t k = 0; k < count; k += 2, out += out_step) {
        __m512 lo = _mm512_maskz_loadu_ps(lanes, src + k * ld);
        __m512 hi = k + 1 < count ? _mm512_maskz_loadu_ps(lanes, src + (k + 1) * ld)
                                  : _mm512_setzero_ps();
        _mm512_mask_storeu_ps((float *)(void *)out, stored, dn_pairs16(lo, hi));
    }
}

/* `rows` (≤ 16) source rows contiguous in k (row r at src + r·ld, kc floats): pairs
 * out[q·out_step + r] = (src[r][2q], src[r][2q+1]) for r < width (rows past `rows` zero).
 * Each row becomes ⌈kc/2⌉ words in a scratch block (in k order: VCVTNE2PS2BF16 of two 16-float
 * halves already yields consecutive pairs), which the word transpose then turns. */
DN_BF16_TARGET void dni_gemm_avx512_bf16_row_pairs(const float *src, size_t ld, size_t rows,
                                                   size_t kc, uint32_t *out, size_t out_ld) {
    for (size_t r = 0; r < rows; ++r)
        for (size_t k = 0; k < kc; k += 32) {
            size_t left = kc - k;
            __m512 a = _mm512_maskz_loadu_ps(dn_ab_lanes(left), src + r * ld + k);
            __m512 b = left > 16 ? _mm512_maskz_loadu_ps(dn_ab_lanes(left - 16), src + r * ld + k + 16)
                                 : _mm512_setzero_ps();
            _mm512_store_si512(out + r * out_ld + k / 2, (__m512i)_mm512_cvtne2ps_pbh(b, a));
        }
}

DN_BF16_TARGET static void dn_pack_rows(const float *src, size_t ld, size_t rows, size_t kc,
                                        size_t width, uint32_t *out, size_t out_step) {
    enum { SCRATCH_LD = DN_AB_KC / 2 };
    _Alignas(64) uint32_t scratch[16 * SCRATCH_LD];
    size_t pairs = (kc + 1) / 2;
    dni_gemm_avx512_bf16_row_pairs(src, ld, rows, kc, scratch, SCRATCH_LD);
    dni_gemm_avx512_pack_transposed((const float *)(const void *)scratch, SCRATCH_LD, rows, pairs,
                                    (float *)(void *)out, out_step, width);
}

/* op(A) rows [i0, i0+m) × k [k0, k0+kc) → [⌈kc/2⌉][12] pairs (gemm_bf16.h's layout). */
DN_BF16_TARGET static void dn_gemm_avx512_bf16_pack_a(const dn_gemm_problem *p, size_t i0, size_t m,
                                                      size_t k0, size_t kc, size_t mr,
                                                      float *out) {
    (void)mr;
    uint32_t *words = (uint32_t *)(void *)out;
    if (p->trans_a) {
        dn_pack_kmajor(p->A + k0 * p->lda + i0, p->lda, kc, m, DN_AB_MR, words, DN_AB_MR);
        return;
    }
    dn_pack_rows(p->A + i0 * p->lda + k0, p->lda, m, kc, DN_AB_MR, words, DN_AB_MR);
}

/* op(B) k [k0, k0+kc) × columns [j0, j0+n) → [⌈kc/2⌉][32] pairs, 64-byte aligned. */
DN_BF16_TARGET static void dn_gemm_avx512_bf16_pack_b(const dn_gemm_problem *p, size_t k0,
                                                      size_t kc, size_t j0, size_t n, size_t nr,
                                                      float *out) {
    (void)nr;
    uint32_t *words = (uint32_t *)(void *)out;
    size_t lo = n < 16 ? n : 16, hi = n > 16 ? n - 16 : 0;
    if (!p->trans_b) {
        const float *src = p->B + k0 * p->ldb + j0;
        dn_pack_kmajor(src, p->ldb, kc, lo, 16, words, DN_AB_NR);
        if (hi > 0) dn_pack_kmajor(src + 16, p->ldb, kc, hi, 16, words + 16, DN_AB_NR);
        else
            for (size_t q = 0; q < (kc + 1) / 2; ++q)
                _mm512_store_si512(words + q * DN_AB_NR + 16, _mm512_setzero_si512());
        return;
    }
    const float *src = p->B + j0 * p->ldb + k0;
    dn_pack_rows(src, p->ldb, lo, kc, 16, words, DN_AB_NR);
    if (hi > 0) dn_pack_rows(src + 16 * p->ldb, p->ldb, hi, kc, 16, words + 16, DN_AB_NR);
    else
        for (size_t q = 0; q < (kc + 1) / 2; ++q)
            _mm512_store_si512(words + q * DN_AB_NR + 16, _mm512_setzero_si512());
}

/* op(B) k [k0, k0+kc) × columns [j0, j0+n), n ≤ nc → ⌈n/32⌉ panels of pairs, panel q at
 * out + q·32·kc floats (the driver's spacing). B [K×N] is read two rows at a time, each pair of
 * rows in one sweep across the block, as the fp32 kernel's block packing (gemm_avx512.c); Bᵀ
 * goes panel by panel. The same words as dn_gemm_avx512_bf16_pack_b writes. */
DN_BF16_TARGET static void dn_gemm_avx512_bf16_pack_b_block(const dn_gemm_problem *p, size_t k0,
                                                            size_t kc, size_t j0, size_t n,
                                                            float *out) {
    if (p->trans_b) {
        for (size_t jr = 0; jr < n; jr += DN_AB_NR)
            dn_gemm_avx512_bf16_pack_b(p, k0, kc, j0 + jr, n - jr < DN_AB_NR ? n - jr : DN_AB_NR,
                                       DN_AB_NR, out + jr * kc);
        return;
    }
    uint32_t *words = (uint32_t *)(void *)out;
    for (size_t k = 0; k < kc; k += 2) {
        const float *lo_row = p->B + (k0 + k) * p->ldb + j0;
        const float *hi_row = k + 1 < kc ? lo_row + p->ldb : NULL;
        uint32_t *dst = words + k / 2 * DN_AB_NR;
        for (size_t jr = 0; jr < n; jr += DN_AB_NR, dst += kc * DN_AB_NR) {
            for (size_t h = 0; h < DN_AB_NR; h += 16) {
                size_t width = n - jr > h ? n - jr - h : 0;
                __m512 pair = _mm512_setzero_ps();
                if (width > 0) {
                    __mmask16 lanes = dn_ab_lanes(width);
                    __m512 lo = _mm512_maskz_loadu_ps(lanes, lo_row + jr + h);
                    __m512 hi = hi_row != NULL ? _mm512_maskz_loadu_ps(lanes, hi_row + jr + h)
                                               : _mm512_setzero_ps();
                    pair = dn_pairs16(lo, hi);
                }
                _mm512_store_ps((float *)(void *)(dst + h), pair);
            }
        }
    }
}

static const dn_gemm_impl dn_avx512_bf16_impl = {
    .kernel = DN_GEMM_AVX512_BF16,
    .mr = DN_AB_MR,
    .nr = DN_AB_NR,
    .kc = DN_AB_KC,
    .nc = DN_AB_NC,
    .micro = dn_gemm_avx512_bf16_micro,
    .pack_a = dn_gemm_avx512_bf16_pack_a,
    .pack_b = dn_gemm_avx512_bf16_pack_b,
    .pack_b_block = dn_gemm_avx512_bf16_pack_b_block,
    .packs_pairs = 1,
};

const dn_gemm_impl *dni_gemm_impl_avx512_bf16(void) { return &dn_avx512_bf16_impl; }

#else

const dn_gemm_impl *dni_gemm_impl_avx512_bf16(void) { return NULL; }

void dni_gemm_avx512_bf16_row_pairs(const float *src, size_t ld, size_t rows, size_t kc,
                                    uint32_t *out, size_t out_ld) {
    (void)src, (void)ld, (void)rows, (void)kc, (void)out, (void)out_ld;
}

#endif
