/* gemm_small_m.c — the small-M kernel over pre-packed B (gemm_small_m.h): AVX-512, for the
 * AVX-512 family's panels of 32 columns. Elsewhere it declines and the blocked driver runs. */
#include "kernels/gemm_small_m.h"
#include "kernels/gemm_blocked.h"
#include "kernels/gemm_epilogue.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_packed.h"
#include "kernels/gemm_small_m_bf16.h"
#include "kernels/gemm_small_m_tiles.h"

#include "core/fpu.h"
#include "core/threads.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* The work of a product in this kernel, in units of one packed B element streamed: a B element
 * costs about as much as four rows' multiply-adds on it, so work = K·N_pad·(M + 3). Below
 * DN_GEMM_SMALL_M_WORK_PER_THREAD units per thread, a second thread costs more (its wake-up and
 * the join) than it saves. Measured (2-core EPYC, AVX-512, 2026-12-02), median µs on 1 and 2
 * threads: M=1: 256×256 2.0 / 3.0, 256×512 3.6 / 3.9, 512×512 10.0 / 5.5, 784×1024 36 / 18;
 * M=16: 128×256 7.7 / 4.8, 256×512 22 / 14. */
enum { DN_GEMM_SMALL_M_WORK_PER_THREAD = 600 * 1000 };

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))

#include <immintrin.h>

#define DN_SMALL_AVX512 __attribute__((target("avx512f")))
#define DN_INLINE __attribute__((always_inline)) inline

enum { DN_NR = 32, DN_ROWS_MAX = DN_SMALL_M_ROWS, DN_PANELS_MAX = DN_SMALL_M_PANELS };

/* Lanes [0, count) of a 16-lane mask (count clipped to 0..16). */
DN_SMALL_AVX512 static __mmask16 dn_small_lanes(size_t count) {
    return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
}

/* One K block of one tile: for rows r < R and the G panels of 32 columns at b (panel g at
 * b + g·stride, row k of a panel k_step floats after row k−1: a packed panel or B in place),
 * tile = Σ_k a[r][k]·b[k][:] as one FMA chain per element from zero (k in order, as the blocked
 * driver's micro-kernel), then c[r][0:n] = tile, or c + tile when `accumulate`. R and G are
 * constants at every call site, so the accumulators live in registers. */
DN_SMALL_AVX512 static DN_INLINE void dn_small_tile(size_t R, size_t G, size_t kc, const float *a,
                                                    size_t lda, const float *b, size_t stride,
                                                    size_t k_step, float *c, size_t ldc, size_t n,
                                                    int accumulate) {
    DN_SMALL_M_ACC(acc, R, G);
    __mmask16 in_c[2 * DN_PANELS_MAX]; /* columns past n are neither read nor written */
#pragma GCC unroll 8
    for (size_t q = 0; q < 2 * G; ++q) in_c[q] = dn_small_lanes(n > q * 16 ? n - q * 16 : 0);
    for (size_t k = 0; k < kc; ++k) {
        __m512 bv[2 * DN_PANELS_MAX];
#pragma GCC unroll 8
        for (size_t g = 0; g < G; ++g) {
            bv[2 * g] = _mm512_maskz_loadu_ps(in_c[2 * g], b + g * stride + k * k_step);
            bv[2 * g + 1] = _mm512_maskz_loadu_ps(in_c[2 * g + 1], b + g * stride + k * k_step + 16);
        }
#pragma GCC unroll 8
        for (size_t r = 0; r < R; ++r) {
            __m512 av = _mm512_set1_ps(a[r * lda + k]);
#pragma GCC unroll 8
            for (size_t q = 0; q < 2 * G; ++q) acc[r][q] = _mm512_fmadd_ps(av, bv[q], acc[r][q]);
        }
    }
    DN_SMALL_M_WRITE(acc, R, G, c, ldc, n, accumulate, dn_small_lanes);
}

typedef void (*dn_small_fn)(size_t kc, const float *a, size_t lda, const float *b, size_t stride,
                            size_t k_step,
                            float *c, size_t ldc, size_t n, int accumulate);

#define DN_SMALL_VARIANT(R, G)                                                                   \
    DN_SMALL_AVX512 static void dn_small_##R##_##G(size_t kc, const float *a, size_t lda,        \
                                                   const float *b, size_t stride,                \
                                                   size_t k_step, float *c,                      \
                                                   size_t ldc, size_t n, int accumulate) {       \
        dn_small_tile(R, G, kc, a, lda, b, stride, k_step, c, ldc, n, accumulate);               \
    }
DN_SMALL_M_SHAPES(DN_SMALL_VARIANT)
#undef DN_SMALL_VARIANT
DN_SMALL_M_TABLES(dn_small_fn, dn_small);

/* Rows [i0, i0+rows) × panels [p0, p0+panels) of C, the K block [k0, k0+kc). */
static void dn_small_group(const dn_gemm_impl *impl, const dn_gemm_problem *p, size_t i0,
                           size_t rows, size_t p0, size_t panels, size_t k0, size_t kc) {
    dn_small_fn fn = panels == 1 ? dn_small_one[rows - 1] : dn_small_wide[rows - 1];
    size_t j0 = p0 * DN_NR;
    size_t n = p->N - j0 < panels * DN_NR ? p->N - j0 : panels * DN_NR;
    const float *b = p->packed_b != NULL
                         ? p->packed_b + dni_gemm_packed_offset(impl, p->N, k0, kc, j0)
                         : p->B + k0 * p->ldb + j0;
    size_t stride = p->packed_b != NULL ? kc * DN_NR : DN_NR;
    size_t k_step = p->packed_b != NULL ? DN_NR : p->ldb;
    fn(kc, p->A + i0 * p->lda + k0, p->lda, b, stride, k_step, p->C + i0 * p->ldc + j0, p->ldc, n,
       k0 > 0);
}

/* Panels [first, last) of every row: per K block, row groups of up to 6 meet panel groups of
 * dni_small_m_panels_for(rows), the remainder one panel at a time; then the epilogue on those columns.
 * K blocks outermost: the block's panels (kc × the thread's columns, ≤ 400 KiB for W2's layers
 * on 2 threads) stay in L2 while every row group passes over them, so 7–16 rows stream the
 * weights from L3 once, not once per row group. */
static void dn_small_range(const dn_gemm_impl *impl, const dn_gemm_problem *p, size_t first,
                           size_t last) {
    size_t kc_max = dni_gemm_k_block(p->K, impl->kc);
    for (size_t k0 = 0; k0 < p->K; k0 += kc_max) {
        size_t kc = p->K - k0 < kc_max ? p->K - k0 : kc_max;
        for (size_t i0 = 0; i0 < p->M; i0 += DN_ROWS_MAX) {
            size_t rows = p->M - i0 < DN_ROWS_MAX ? p->M - i0 : DN_ROWS_MAX;
            size_t group = dni_small_m_panels_for(rows), q = first;
            for (; q + group <= last; q += group) dn_small_group(impl, p, i0, rows, q, group, k0, kc);
            for (; q < last; ++q) dn_small_group(impl, p, i0, rows, q, 1, k0, kc);
        }
    }
    size_t j0 = first * DN_NR, j1 = last * DN_NR < p->N ? last * DN_NR : p->N;
    if (p->epilogue != NULL && j1 > j0) dni_gemm_epilogue_apply(p, 0, p->M, j0, j1 - j0);
}

/* fp32: the AVX-512 family, B packed or in place; bf16: the AVX512_BF16 family over B packed
 * once (bf16 pairs; in place it would be converted on every call, as the blocked driver does). */
static int dn_small_supported(const dn_gemm_impl *impl, const dn_gemm_problem *p) {
    int fp32 = impl->kernel == DN_GEMM_AVX512 &&
               (p->packed_b != NULL ? p->M <= DN_GEMM_SMALL_M_PACKED_FP32_MAX : p->B != NULL);
    int bf16 = impl->kernel == DN_GEMM_AVX512_BF16 && p->packed_b != NULL &&
               impl->kc <= DN_GEMM_MAX_KC && dni_gemm_small_m_bf16_compiled();
    return (fp32 || bf16) && impl->nr == DN_NR && !p->trans_a && !p->trans_b && p->beta == 0.0f && p->M >= 1 &&
           p->M <= DN_GEMM_SMALL_M_MAX && p->K > 0 &&
           (p->epilogue == NULL || p->epilogue->stream == NULL);
}

#else

static int dn_small_supported(const dn_gemm_impl *impl, const dn_gemm_problem *p) {
    (void)impl, (void)p;
    return 0;
}

static void dn_small_range(const dn_gemm_impl *impl, const dn_gemm_problem *p, size_t first,
                           size_t last) {
    (void)impl, (void)p, (void)first, (void)last;
}

enum { DN_NR = 32 };

#endif

/* Threads worth waking: the request (≤ 0: all), one per panel at most, and enough bytes each. */
static size_t dn_small_team(const dn_gemm_impl *impl, const dn_gemm_problem *p, size_t panels,
                            int threads) {
    size_t want = (size_t)dni_threads_resolve(threads);
    size_t work = p->K * panels * DN_NR * (p->M + 3);
    /* bf16: half the bytes and half the instructions per element; the threshold itself was not
     * re-measured for bf16 (one W2 image: 48 µs on 1 thread, 25 µs on 2, 2026-12-02). */
    if (impl->packs_pairs) work /= 2;
    size_t by_size = work / DN_GEMM_SMALL_M_WORK_PER_THREAD + 1;
    size_t team = want < panels ? want : panels;
    team = team < by_size ? team : by_size;
    return team > 0 ? team : 1;
}

int dni_gemm_small_m(const dn_gemm_impl *impl, const dn_gemm_problem *p, int threads) {
    if (!dn_small_supported(impl, p)) return 0;
    size_t panels = (p->N + DN_NR - 1) / DN_NR;
    size_t team = dn_small_team(impl, p, panels, threads);
#ifdef _OPENMP
#pragma omp parallel num_threads((int)team) if (team > 1)
#endif
    {
        size_t size = 1, me = 0;
#ifdef _OPENMP
        size = (size_t)omp_get_num_threads();
        me = (size_t)omp_get_thread_num();
#endif
        unsigned fpu = dni_fpu_enter(); /* per thread: core/fpu.h */
        size_t first = panels * me / size, last = panels * (me + 1) / size;
        if (impl->packs_pairs) dni_gemm_small_m_bf16_range(impl, p, first, last);
        else dn_small_range(impl, p, first, last);
        dni_fpu_leave(fpu);
    }
    (void)team;
    return 1;
}
