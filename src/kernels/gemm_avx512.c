/* gemm_avx512.c — the AVX-512F micro-kernel (12×32 register tile) and its packing routines.
 *
 * Every function here carries target("avx512f") so the rest of the build stays baseline x86-64;
 * the dispatcher calls them only after CPUID says AVX-512F runs.
 *
 * Tile choice: 12 rows × 2 zmm = 24 accumulators, plus 2 registers of B and 1 broadcast of A:
 * 27 of the 32 zmm registers. Per k the kernel does 2 aligned loads of B and 12 broadcasts of A
 * for 24 FMAs, inside the load ports' budget, so both FMA ports can stay busy. */
#include "kernels/gemm_avx512.h"
#include "kernels/gemm_kernel.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))

#include <immintrin.h>

#include "kernels/gemm_avx512_tile.h"

#define DN_AVX512 __attribute__((target("avx512f")))

/* kc = 256: the A micro-panel (12 KiB) stays in L1 beside the streamed B; nc = 1024: the B block
 * (1 MiB) stays in the 2 MiB L2. Tried 128..512 × 256..1024: all within a few per cent. */
enum { DN_AVX512_MR = 12, DN_AVX512_NR = 32, DN_AVX512_KC = 256, DN_AVX512_NC = 1024 };

/* The wide loop prefetches B this many k steps ahead (2 KiB, reaching into the next panel, which
 * the driver places right after): +3 % over the hardware prefetcher alone. */
enum { DN_AVX512_PREFETCH_K = 16 };

/* Lanes [0, count) of a 16-lane mask (count clipped to 0..16). */
DN_AVX512 static __mmask16 dn_lanes(size_t count) {
    return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
}

/* ---- micro-kernel ------------------------------------------------------------------------ */

/* Row r of the tile: broadcast its A value for this k into the FMAs of each B vector. */
#define DN_ROW2(r)                                                                              \
    do {                                                                                        \
        __m512 a_ = _mm512_set1_ps(ak[r]);                                                      \
        c##r##_0 = _mm512_fmadd_ps(a_, b0, c##r##_0);                                           \
        c##r##_1 = _mm512_fmadd_ps(a_, b1, c##r##_1);                                           \
    } while (0)
#define DN_ROW1(r) c##r##_0 = _mm512_fmadd_ps(_mm512_set1_ps(ak[r]), b0, c##r##_0)

/* The k loops are not unrolled: 24 accumulators leave few spare registers, and unrolling makes
 * compilers spill. `ak` is indexed rather than stepped so that no pointer ever runs past A. */

/* tile [R×32] += a [kc][12, step a_step] · b [kc][32], for the R rows ROWS names. */
#define DN_LOOP_WIDE(ROWS)                                                                      \
    for (size_t k = 0; k < kc; ++k, b += DN_AVX512_NR) {                                        \
        const float *ak = a + k * a_step;                                                       \
        _mm_prefetch((const char *)(b + DN_AVX512_PREFETCH_K * DN_AVX512_NR), _MM_HINT_T0);     \
        _mm_prefetch((const char *)(b + DN_AVX512_PREFETCH_K * DN_AVX512_NR + 16), _MM_HINT_T0); \
        __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);                             \
        ROWS(DN_ROW2);                                                                          \
    }

/* tile [R×16] += a · b[:, 0:16]: an edge of at most 16 columns costs half the FMAs. Each
 * element's chain of FMAs is exactly the one DN_LOOP_WIDE computes for it. */
#define DN_LOOP_NARROW(ROWS)                                                                    \
    for (size_t k = 0; k < kc; ++k, b += DN_AVX512_NR) {                                        \
        const float *ak = a + k * a_step;                                                       \
        __m512 b0 = _mm512_load_ps(b);                                                          \
        ROWS(DN_ROW1);                                                                          \
    }

/* tile [R×32] = a [kc][12] · b [kc][32] (a's k step a_step); c[m×n] = or += tile, m ≤ R. The
 * tile's rows are ldc apart and usually out of cache: fetching them before the k loop keeps the
 * write-back from waiting on the misses. */
#define DN_MICRO_BODY(ROWS, R, DECLARE)                                                         \
    do {                                                                                        \
        DECLARE();                                                                              \
        for (size_t i = 0; i < m; ++i) {                                                        \
            _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);                             \
            if (n > 16) _mm_prefetch((const char *)(c + i * ldc + 16), _MM_HINT_T0);            \
        }                                                                                       \
        if (n > 16) {                                                                           \
            DN_LOOP_WIDE(ROWS);                                                                 \
        } else {                                                                                \
            DN_LOOP_NARROW(ROWS);                                                               \
        }                                                                                       \
        DN_TILE_WRITE_ROWS(ROWS, R, dn_lanes);                                                  \
    } while (0)

/* Row-edge tiles: the last rows of a product (64 rows are 5 tiles of 12 and one of 4; 32 are 2
 * and 8) do the FMAs of 4 or 8 rows instead of 12. Rows are independent, so every element's
 * chain is the 12-row tile's: the same bits. */
DN_AVX512 static void dn_gemm_avx512_micro_4(size_t kc, const float *a, size_t a_step,
                                             const float *b, float *c, size_t ldc, size_t m,
                                             size_t n, int accumulate) {
    DN_MICRO_BODY(DN_TILE_ROWS4, 4, DN_TILE_DECLARE_4);
}

DN_AVX512 static void dn_gemm_avx512_micro_8(size_t kc, const float *a, size_t a_step,
                                             const float *b, float *c, size_t ldc, size_t m,
                                             size_t n, int accumulate) {
    DN_MICRO_BODY(DN_TILE_ROWS8, 8, DN_TILE_DECLARE_8);
}

/* tile [12×32] = a [kc][12] · b [kc][32] (a's k step a_step); c[m×n] = or += tile. Fewer than 9
 * rows go to the row-edge tiles. */
DN_AVX512 static void dn_gemm_avx512_micro(size_t kc, const float *a, size_t a_step,
                                           const float *b, float *c, size_t ldc, size_t m,
                                           size_t n, int accumulate) {
    if (m <= 4) {
        dn_gemm_avx512_micro_4(kc, a, a_step, b, c, ldc, m, n, accumulate);
        return;
    }
    if (m <= 8) {
        dn_gemm_avx512_micro_8(kc, a, a_step, b, c, ldc, m, n, accumulate);
        return;
    }
    DN_MICRO_BODY(DN_TILE_ROWS, 12, DN_TILE_DECLARE_ALL);
}

#undef DN_ROW2
#undef DN_ROW1
#undef DN_LOOP_WIDE
#undef DN_LOOP_NARROW
#undef DN_MICRO_BODY

/* ---- packing ----------------------------------------------------------------------------- */

/* out[i·out_step + r] = src[r·ld + i] for a 16×16 block whose rows past `rows` read as zero
 * (lanes outside `lanes` of each output row are not written), entirely in registers: three rounds of shuffles (within 128-bit lanes,
 * then across lanes twice), 64 in all. Written out in full because compilers keep arrays of
 * vectors in memory, which made this three times slower. */
#define DN_LOAD(i)                                                                              \
    __m512 r##i = (i) < rows ? _mm512_loadu_ps(src + (i) * ld) : _mm512_setzero_ps()
#define DN_UNPACK(a, b)                                                                         \
    __m512 t##a = _mm512_unpacklo_ps(r##a, r##b), t##b = _mm512_unpackhi_ps(r##a, r##b)
#define DN_SHUF(a, b, c, d)                                                                     \
    r##a = _mm512_shuffle_ps(t##a, t##c, 0x44), r##b = _mm512_shuffle_ps(t##a, t##c, 0xEE),     \
    r##c = _mm512_shuffle_ps(t##b, t##d, 0x44), r##d = _mm512_shuffle_ps(t##b, t##d, 0xEE)
#define DN_LANE1(a, b, c, d)                                                                    \
    t##a = _mm512_shuffle_f32x4(r##a, r##b, 0x88), t##b = _mm512_shuffle_f32x4(r##a, r##b, 0xDD), \
    t##c = _mm512_shuffle_f32x4(r##c, r##d, 0x88), t##d = _mm512_shuffle_f32x4(r##c, r##d, 0xDD)
#define DN_LANE2(a, b)                                                                          \
    r##a = _mm512_shuffle_f32x4(t##a, t##b, 0x88), r##b = _mm512_shuffle_f32x4(t##a, t##b, 0xDD)
#define DN_STORE(i) _mm512_mask_storeu_ps(out + (i) * out_step, lanes, r##i)
DN_AVX512 static void dn_transpose16(const float *src, size_t ld, size_t rows, float *out,
                                     size_t out_step, __mmask16 lanes) {
    DN_LOAD(0); DN_LOAD(1); DN_LOAD(2); DN_LOAD(3); DN_LOAD(4); DN_LOAD(5); DN_LOAD(6);
    DN_LOAD(7); DN_LOAD(8); DN_LOAD(9); DN_LOAD(10); DN_LOAD(11); DN_LOAD(12); DN_LOAD(13);
    DN_LOAD(14); DN_LOAD(15);
    DN_UNPACK(0, 1); DN_UNPACK(2, 3); DN_UNPACK(4, 5); DN_UNPACK(6, 7);
    DN_UNPACK(8, 9); DN_UNPACK(10, 11); DN_UNPACK(12, 13); DN_UNPACK(14, 15);
    /* r[4i+c], 128-bit lane L: rows 4i..4i+3 of column 4L+c. */
    DN_SHUF(0, 1, 2, 3); DN_SHUF(4, 5, 6, 7); DN_SHUF(8, 9, 10, 11); DN_SHUF(12, 13, 14, 15);
    DN_LANE1(0, 4, 8, 12); DN_LANE1(1, 5, 9, 13); DN_LANE1(2, 6, 10, 14); DN_LANE1(3, 7, 11, 15);
    DN_LANE2(0, 8); DN_LANE2(1, 9); DN_LANE2(2, 10); DN_LANE2(3, 11);
    DN_LANE2(4, 12); DN_LANE2(5, 13); DN_LANE2(6, 14); DN_LANE2(7, 15);
    /* r[i] is now column i. */
    DN_STORE(0); DN_STORE(1); DN_STORE(2); DN_STORE(3); DN_STORE(4); DN_STORE(5); DN_STORE(6);
    DN_STORE(7); DN_STORE(8); DN_STORE(9); DN_STORE(10); DN_STORE(11); DN_STORE(12);
    DN_STORE(13); DN_STORE(14); DN_STORE(15);
}
#undef DN_LOAD
#undef DN_UNPACK
#undef DN_SHUF
#undef DN_LANE1
#undef DN_LANE2
#undef DN_STORE

/* out[k·out_step + r] = src[r·ld + k] for k < kc and r < width (width ≤ 16), zero for rows r ≥
 * rows: `rows` source rows of kc contiguous floats, transposed 16×16 blocks at a time. A last
 * block of fewer than 16 k goes through a zero-padded copy so it shares the one transpose. */
DN_AVX512 static void dn_pack_transposed(const float *src, size_t ld, size_t rows, size_t kc,
                                         float *out, size_t out_step, size_t width) {
    const __mmask16 columns = dn_lanes(width);
    for (size_t k0 = 0; k0 < kc; k0 += 16) {
        size_t count = kc - k0 < 16 ? kc - k0 : 16;
        if (count == 16) {
            dn_transpose16(src + k0, ld, rows, out + k0 * out_step, out_step, columns);
            continue;
        }
        _Alignas(64) float block[16 * 16], result[16 * 16];
        __mmask16 ks = dn_lanes(count);
        for (size_t i = 0; i < 16; ++i)
            _mm512_store_ps(block + 16 * i, i < rows ? _mm512_maskz_loadu_ps(ks, src + i * ld + k0)
                                                     : _mm512_setzero_ps());
        dn_transpose16(block, 16, 16, result, 16, (__mmask16)0xFFFF);
        for (size_t kk = 0; kk < count; ++kk)
            _mm512_mask_storeu_ps(out + (k0 + kk) * out_step, columns,
                                  _mm512_load_ps(result + 16 * kk));
    }
}

/* op(A) rows [i0, i0+m) × k [k0, k0+kc), m ≤ 12 → one panel [kc][12]. A [M×K] rows are
 * transposed 16×16 blocks at a time; Aᵀ (A stored [K×M]) is a masked 12-float copy per k. */
DN_AVX512 static void dn_gemm_avx512_pack_a(const dn_gemm_problem *p, size_t i0, size_t m,
                                            size_t k0, size_t kc, size_t mr, float *out) {
    (void)mr;
    if (!p->trans_a) {
        dn_pack_transposed(p->A + i0 * p->lda + k0, p->lda, m, kc, out, DN_AVX512_MR,
                           DN_AVX512_MR);
        return;
    }
    const __mmask16 panel = dn_lanes(DN_AVX512_MR), rows = dn_lanes(m);
    for (size_t k = 0; k < kc; ++k) {
        const float *src = p->A + (k0 + k) * p->lda + i0;
        _mm512_mask_storeu_ps(out + k * DN_AVX512_MR, panel, _mm512_maskz_loadu_ps(rows, src));
    }
}

/* op(B) k [k0, k0+kc) × columns [j0, j0+n) → one panel [kc][32] (64-byte aligned). B [K×N] is two
 * masked row loads per k; Bᵀ (B stored [N×K]) is two 16-row transposes. */
DN_AVX512 static void dn_gemm_avx512_pack_b(const dn_gemm_problem *p, size_t k0, size_t kc,
                                            size_t j0, size_t n, size_t nr, float *out) {
    (void)nr;
    const __m512 zero = _mm512_setzero_ps();
    if (!p->trans_b) {
        __mmask16 lo = dn_lanes(n), hi = dn_lanes(n > 16 ? n - 16 : 0);
        for (size_t k = 0; k < kc; ++k, out += DN_AVX512_NR) {
            const float *src = p->B + (k0 + k) * p->ldb + j0;
            _mm512_store_ps(out, _mm512_maskz_loadu_ps(lo, src));
            /* Only form src + 16 when it is inside the row. */
            _mm512_store_ps(out + 16, n > 16 ? _mm512_maskz_loadu_ps(hi, src + 16) : zero);
        }
        return;
    }
    const float *src = p->B + j0 * p->ldb + k0;
    dn_pack_transposed(src, p->ldb, n < 16 ? n : 16, kc, out, DN_AVX512_NR, 16);
    if (n > 16) {
        dn_pack_transposed(src + 16 * p->ldb, p->ldb, n - 16, kc, out + 16, DN_AVX512_NR, 16);
    } else {
        for (size_t k = 0; k < kc; ++k) _mm512_store_ps(out + k * DN_AVX512_NR + 16, zero);
    }
}

/* Rows ahead the block packing prefetches op(B) (B [K×N] rows are usually a page apart, and the
 * hardware prefetcher stops at page boundaries). */
enum { DN_AVX512_PACK_AHEAD = 2 };

/* op(B) k [k0, k0+kc) × columns [j0, j0+n), n ≤ nc → ⌈n/32⌉ consecutive panels [kc][32]. B [K×N]
 * is read row by row, each row's n floats in one sweep: packing panel by panel read 128 bytes a
 * page apart per k, which kept the forward product of a training step (weights just updated,
 * out of L2) waiting on memory. Bᵀ goes panel by panel. Same floats either way. */
DN_AVX512 static void dn_gemm_avx512_pack_b_block(const dn_gemm_problem *p, size_t k0, size_t kc,
                                                  size_t j0, size_t n, float *out) {
    if (p->trans_b) {
        for (size_t jr = 0; jr < n; jr += DN_AVX512_NR)
            dn_gemm_avx512_pack_b(p, k0, kc, j0 + jr, n - jr < DN_AVX512_NR ? n - jr : DN_AVX512_NR,
                                  DN_AVX512_NR, out + jr * kc);
        return;
    }
    const __m512 zero = _mm512_setzero_ps();
    const size_t full = n / DN_AVX512_NR * DN_AVX512_NR;
    for (size_t k = 0; k < kc; ++k) {
        const float *src = p->B + (k0 + k) * p->ldb + j0;
        const float *ahead = k + DN_AVX512_PACK_AHEAD < kc ? src + DN_AVX512_PACK_AHEAD * p->ldb
                                                           : NULL;
        float *dst = out + k * DN_AVX512_NR;
        size_t jr = 0;
        for (; jr < full; jr += DN_AVX512_NR, dst += kc * DN_AVX512_NR) {
            if (ahead != NULL) {
                _mm_prefetch((const char *)(ahead + jr), _MM_HINT_T0);
                _mm_prefetch((const char *)(ahead + jr + 16), _MM_HINT_T0);
            }
            _mm512_store_ps(dst, _mm512_loadu_ps(src + jr));
            _mm512_store_ps(dst + 16, _mm512_loadu_ps(src + jr + 16));
        }
        if (jr < n) { /* the last, partial panel: masked loads, zeros past n */
            size_t left = n - jr;
            _mm512_store_ps(dst, _mm512_maskz_loadu_ps(dn_lanes(left), src + jr));
            _mm512_store_ps(dst + 16, left > 16 ? _mm512_maskz_loadu_ps(dn_lanes(left - 16),
                                                                         src + jr + 16)
                                                : zero);
        }
    }
}

static const dn_gemm_impl dn_avx512_impl = {
    .kernel = DN_GEMM_AVX512,
    .mr = DN_AVX512_MR,
    .nr = DN_AVX512_NR,
    .kc = DN_AVX512_KC,
    .nc = DN_AVX512_NC,
    .micro = dn_gemm_avx512_micro,
    .pack_a = dn_gemm_avx512_pack_a,
    .pack_b = dn_gemm_avx512_pack_b,
    .pack_b_block = dn_gemm_avx512_pack_b_block,
};

const dn_gemm_impl *dni_gemm_impl_avx512(void) { return &dn_avx512_impl; }

void dni_gemm_avx512_pack_transposed(const float *src, size_t ld, size_t rows, size_t kc,
                                     float *out, size_t out_step, size_t width) {
    dn_pack_transposed(src, ld, rows, kc, out, out_step, width);
}

#else

const dn_gemm_impl *dni_gemm_impl_avx512(void) { return NULL; }

#endif
