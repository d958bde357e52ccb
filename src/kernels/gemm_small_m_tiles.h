/* gemm_small_m_tiles.h — the register-tile shapes both small-M kernels instantiate (fp32 FMAs in
 * gemm_small_m.c, VDPBF16PS in gemm_small_m_bf16.c), kept once (internal: macros and one inline).
 *
 * A tile is R rows (≤ 6) × G panels of 32 columns: 2·R·G zmm accumulators. Each kernel defines
 * one function PREFIX_R_G per shape with DN_SMALL_M_SHAPES and lists them with
 * DN_SMALL_M_TABLES; dni_small_m_panels_for says which G a group of R rows uses;
 * DN_SMALL_M_ACC and DN_SMALL_M_WRITE are a tile's accumulators and its write-back into C. */
#ifndef DN_KERNELS_GEMM_SMALL_M_TILES_H
#define DN_KERNELS_GEMM_SMALL_M_TILES_H

#include <stddef.h>

enum { DN_SMALL_M_ROWS = 6, DN_SMALL_M_PANELS = 4 };

/* Panels per group for a group of `rows` rows: 2·rows·panels accumulators, at most 24 of the 32
 * zmm registers, and at least 8 (two FMA ports × four cycles of latency) for one row. */
static inline size_t dni_small_m_panels_for(size_t rows) {
    return rows <= 3 ? 4 : rows == 4 ? 3 : 2;
}

/* VARIANT(R, G) for each shape used: (R, dni_small_m_panels_for(R)) for full panel groups, and
 * (R, 1) for the panels left over. */
#define DN_SMALL_M_SHAPES(VARIANT)                                                               \
    VARIANT(1, 4) VARIANT(2, 4) VARIANT(3, 4) VARIANT(4, 3) VARIANT(5, 2) VARIANT(6, 2)          \
    VARIANT(1, 1) VARIANT(2, 1) VARIANT(3, 1) VARIANT(4, 1) VARIANT(5, 1) VARIANT(6, 1)

/* PREFIX_wide[R − 1]: the full-group function of R rows; PREFIX_one[R − 1]: its one-panel one. */
#define DN_SMALL_M_TABLES(TYPE, PREFIX)                                                          \
    static const TYPE PREFIX##_wide[DN_SMALL_M_ROWS] = {PREFIX##_1_4, PREFIX##_2_4,              \
                                                        PREFIX##_3_4, PREFIX##_4_3,              \
                                                        PREFIX##_5_2, PREFIX##_6_2};             \
    static const TYPE PREFIX##_one[DN_SMALL_M_ROWS] = {PREFIX##_1_1, PREFIX##_2_1, PREFIX##_3_1, \
                                                       PREFIX##_4_1, PREFIX##_5_1, PREFIX##_6_1}

/* The accumulators of a tile, acc[r][v] for r < R, v < 2·G: declared and zeroed. Inside a
 * function compiled with AVX-512F, after <immintrin.h>. */
#define DN_SMALL_M_ACC(acc, R, G)                                                                \
    __m512 acc[DN_SMALL_M_ROWS][2 * DN_SMALL_M_PANELS];                                          \
    _Pragma("GCC unroll 8") for (size_t r_ = 0; r_ < (R); ++r_)                                 \
        _Pragma("GCC unroll 8") for (size_t v_ = 0; v_ < 2 * (G); ++v_) acc[r_][v_] =           \
            _mm512_setzero_ps()

/* The write-back after a K block: c[r][0:n] = acc[r] (or c[r] + acc[r] when `accumulate`),
 * masked to the n columns inside C (LANES(count): the kernel's 16-lane mask of count lanes). */
#define DN_SMALL_M_WRITE(acc, R, G, c, ldc, n, accumulate, LANES)                                \
    _Pragma("GCC unroll 8") for (size_t r_ = 0; r_ < (R); ++r_)                                 \
        _Pragma("GCC unroll 8") for (size_t v_ = 0; v_ < 2 * (G); ++v_) {                      \
            size_t j_ = v_ * 16;                                                                 \
            if (j_ >= (n)) break;                                                                \
            __mmask16 lanes_ = LANES((n) - j_);                                                  \
            __m512 sum_ = acc[r_][v_];                                                           \
            if (accumulate)                                                                      \
                sum_ = _mm512_add_ps(_mm512_maskz_loadu_ps(lanes_, (c) + r_ * (ldc) + j_), sum_); \
            _mm512_mask_storeu_ps((c) + r_ * (ldc) + j_, lanes_, sum_);                          \
        }

#endif
