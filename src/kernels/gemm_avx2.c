/* gemm_avx2.c — the AVX2+FMA micro-kernel (6×16 register tile).
 *
 * Every function here carries target("avx2,fma") so the rest of the build stays baseline x86-64;
 * the dispatcher calls them only after CPUID says AVX2 and FMA run.
 *
 * Tile choice: 6 rows × 2 ymm = 12 accumulators, plus 2 registers of B and 1 broadcast of A:
 * 15 of the 16 ymm registers (the classic Haswell shape). Packing uses the scalar routines except
 * for Bᵀ, the one layout whose packing is not amortised over many tiles. */
#include "kernels/gemm_avx2.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_pack.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))

#include <immintrin.h>
#include <stdint.h>

#define DN_AVX2 __attribute__((target("avx2,fma")))

enum { DN_AVX2_MR = 6, DN_AVX2_NR = 16, DN_AVX2_KC = 256, DN_AVX2_NC = 1024 };

/* B streams from L2; the kernel fetches it this many k steps (1 KiB) ahead. */
enum { DN_AVX2_PREFETCH_K = 16 };

/* All-ones in lanes [0, count) of 8 (count clipped to 0..8), for maskload/maskstore. */
DN_AVX2 static __m256i dn_lanes8(size_t count) {
    const __m256i lane = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    int clipped = count >= 8 ? 8 : (int)count;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(clipped), lane);
}

#define DN_ROW(r)                                                                               \
    do {                                                                                        \
        __m256 a_ = _mm256_broadcast_ss(ak + (r));                                              \
        c##r##_0 = _mm256_fmadd_ps(a_, b0, c##r##_0);                                           \
        c##r##_1 = _mm256_fmadd_ps(a_, b1, c##r##_1);                                           \
    } while (0)
#define DN_DECLARE(r) __m256 c##r##_0 = _mm256_setzero_ps(), c##r##_1 = _mm256_setzero_ps()
#define DN_SAVE(r) (tile[2 * (r)] = c##r##_0, tile[2 * (r) + 1] = c##r##_1)

/* tile [6×16] = a [kc][6] · b [kc][16] (a's k step a_step); c[m×n] = or += tile. */
DN_AVX2 static void dn_gemm_avx2_micro(size_t kc, const float *a, size_t a_step, const float *b,
                                       float *c, size_t ldc, size_t m, size_t n, int accumulate) {
    DN_DECLARE(0); DN_DECLARE(1); DN_DECLARE(2); DN_DECLARE(3); DN_DECLARE(4); DN_DECLARE(5);
    /* The tile's rows are ldc apart and usually out of cache: start fetching them now so the
     * write-back does not wait for the misses. */
    for (size_t i = 0; i < m; ++i) _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
    for (size_t k = 0; k < kc; ++k) {
        const float *ak = a + k * a_step; /* indexed, so no pointer runs past an in-place A */
        _mm_prefetch((const char *)(b + DN_AVX2_PREFETCH_K * DN_AVX2_NR), _MM_HINT_T0);
        __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        DN_ROW(0); DN_ROW(1); DN_ROW(2); DN_ROW(3); DN_ROW(4); DN_ROW(5);
        b += DN_AVX2_NR;
    }
    /* Write-back through masks: the same adds for a full tile and an edge tile. */
    __m256 tile[2 * DN_AVX2_MR];
    DN_SAVE(0); DN_SAVE(1); DN_SAVE(2); DN_SAVE(3); DN_SAVE(4); DN_SAVE(5);
    __m256i lo = dn_lanes8(n), hi = dn_lanes8(n > 8 ? n - 8 : 0);
    for (size_t i = 0; i < m; ++i) {
        float *row = c + i * ldc;
        __m256 v0 = tile[2 * i], v1 = tile[2 * i + 1];
        if (accumulate) v0 = _mm256_add_ps(_mm256_maskload_ps(row, lo), v0);
        _mm256_maskstore_ps(row, lo, v0);
        if (n <= 8) continue; /* row + 8 may lie past the end of C */
        if (accumulate) v1 = _mm256_add_ps(_mm256_maskload_ps(row + 8, hi), v1);
        _mm256_maskstore_ps(row + 8, hi, v1);
    }
}

#undef DN_ROW
#undef DN_DECLARE
#undef DN_SAVE

/* op(B) k [k0, k0+kc) × columns [j0, j0+n) → one panel [kc][16]. Bᵀ (B stored [N×K]) is read with
 * two 8-row gathers per k; B [K×N] rows are already contiguous, so the scalar copy is fine. */
DN_AVX2 static void dn_gemm_avx2_pack_b(const dn_gemm_problem *p, size_t k0, size_t kc, size_t j0,
                                        size_t n, size_t nr, float *out) {
    if (!p->trans_b || p->ldb > (size_t)INT32_MAX / 8) {
        dni_gemm_pack_b_generic(p, k0, kc, j0, n, nr, out);
        return;
    }
    const __m256i lane = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    const __m256i offsets = _mm256_mullo_epi32(lane, _mm256_set1_epi32((int)p->ldb));
    const __m256i lo = dn_lanes8(n), hi = dn_lanes8(n > 8 ? n - 8 : 0);
    const __m256 zero = _mm256_setzero_ps();
    const float *src0 = p->B + j0 * p->ldb + k0;
    const float *src1 = n > 8 ? src0 + 8 * p->ldb : src0; /* rows 8..15 exist only if n > 8 */
    for (size_t k = 0; k < kc; ++k, out += DN_AVX2_NR) {
        __m256 v0 = _mm256_mask_i32gather_ps(zero, src0 + k, offsets, _mm256_castsi256_ps(lo), 4);
        __m256 v1 = _mm256_mask_i32gather_ps(zero, src1 + k, offsets, _mm256_castsi256_ps(hi), 4);
        _mm256_store_ps(out, v0);
        _mm256_store_ps(out + 8, v1);
    }
}

static const dn_gemm_impl dn_avx2_impl = {
    .kernel = DN_GEMM_AVX2,
    .mr = DN_AVX2_MR,
    .nr = DN_AVX2_NR,
    .kc = DN_AVX2_KC,
    .nc = DN_AVX2_NC,
    .micro = dn_gemm_avx2_micro,
    .pack_a = dni_gemm_pack_a_generic,
    .pack_b = dn_gemm_avx2_pack_b,
};

const dn_gemm_impl *dni_gemm_impl_avx2(void) { return &dn_avx2_impl; }

#else

const dn_gemm_impl *dni_gemm_impl_avx2(void) { return NULL; }

#endif
