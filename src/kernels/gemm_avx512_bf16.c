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
#include "kernels/gemm_bf16.h"
#include "kernels/gemm_kernel.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))

#include <immintrin.h>
#include <stdint.h>

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
#define DN_ROWS(ROW)                                                                            \
    do {                                                                                        \
        ROW(0); ROW(1); ROW(2); ROW(3); ROW(4); ROW(5);                                         \
        ROW(6); ROW(7); ROW(8); ROW(9); ROW(10); ROW(11);                                       \
    } while (0)
#define DN_DECLARE(r) __m512 c##r##_0 = _mm512_setzero_ps(), c##r##_1 = _mm512_setzero_ps()
#define DN_WRITE_ROW(r)                                                                         \
    do {                                                                                        \
        float *row_ = c + (r) * ldc;                                                            \
        if (accumulate) {                                                                       \
            c##r##_0 = _mm512_add_ps(_mm512_loadu_ps(row_), c##r##_0);                          \
            c##r##_1 = _mm512_add_ps(_mm512_loadu_ps(row_ + 16), c##r##_1);                     \
        }                                                                                       \
        _mm512_storeu_ps(row_, c##r##_0);                                                       \
        _mm512_storeu_ps(row_ + 16, c##r##_1);                                                  \
    } while (0)
/* An edge tile: masked, so only the m×n corner inside C is read or written. */
#define DN_WRITE_EDGE(r)                                                                        \
    do {                                                                                        \
        if ((r) < m) {                                                                          \
            float *row_ = c + (r) * ldc;                                                        \
            if (accumulate) c##r##_0 = _mm512_add_ps(_mm512_maskz_loadu_ps(lo, row_), c##r##_0); \
            _mm512_mask_storeu_ps(row_, lo, c##r##_0);                                          \
            if (n > 16) {                                                                       \
                if (accumulate)                                                                 \
                    c##r##_1 = _mm512_add_ps(_mm512_maskz_loadu_ps(hi, row_ + 16), c##r##_1);   \
                _mm512_mask_storeu_ps(row_ + 16, hi, c##r##_1);                                 \
            }                                                                                   \
        }                                                                                       \
    } while (0)

/* tile [12×32] = a [⌈kc/2⌉][12 pairs, step a_step] · b [⌈kc/2⌉][32 pairs]; c[m×n] = or +=. */
DN_BF16_TARGET static void dn_gemm_avx512_bf16_micro(size_t kc, const float *a_floats,
                                                     size_t a_step, const float *b_floats,
                                                     float *c, size_t ldc, size_t m, size_t n,
                                                     int accumulate) {
    const uint32_t *a = (const uint32_t *)(const void *)a_floats;
    const float *b = b_floats;
    DN_DECLARE(0); DN_DECLARE(1); DN_DECLARE(2); DN_DECLARE(3); DN_DECLARE(4); DN_DECLARE(5);
    DN_DECLARE(6); DN_DECLARE(7); DN_DECLARE(8); DN_DECLARE(9); DN_DECLARE(10); DN_DECLARE(11);
    for (size_t i = 0; i < m; ++i) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        if (n > 16) _mm_prefetch((const char *)(c + i * ldc + 16), _MM_HINT_T0);
    }
    const size_t pairs = (kc + 1) / 2;
    for (size_t q = 0; q < pairs; ++q, b += DN_AB_NR) {
        const uint32_t *aq = a + q * a_step;
        _mm_prefetch((const char *)(b + 16 * DN_AB_NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(b + 16 * DN_AB_NR + 16), _MM_HINT_T0);
        __m512bh b0 = (__m512bh)_mm512_load_ps(b), b1 = (__m512bh)_mm512_load_ps(b + 16);
        DN_ROWS(DN_ROW2);
    }
    if (m == DN_AB_MR && n == DN_AB_NR) {
        DN_ROWS(DN_WRITE_ROW);
        return;
    }
    __mmask16 lo = dn_ab_lanes(n), hi = dn_ab_lanes(n > 16 ? n - 16 : 0);
    DN_ROWS(DN_WRITE_EDGE);
}

#undef DN_ROW2
#undef DN_ROWS
#undef DN_DECLARE
#undef DN_WRITE_ROW
#undef DN_WRITE_EDGE

static const dn_gemm_impl dn_avx512_bf16_impl = {
    .kernel = DN_GEMM_AVX512_BF16,
    .mr = DN_AB_MR,
    .nr = DN_AB_NR,
    .kc = DN_AB_KC,
    .nc = DN_AB_NC,
    .micro = dn_gemm_avx512_bf16_micro,
    .pack_a = dni_gemm_bf16_pack_a,
    .pack_b = dni_gemm_bf16_pack_b,
    .packs_pairs = 1,
};

const dn_gemm_impl *dni_gemm_impl_avx512_bf16(void) { return &dn_avx512_bf16_impl; }

#else

const dn_gemm_impl *dni_gemm_impl_avx512_bf16(void) { return NULL; }

#endif
