/* gemm_avx512_tile.h — the 12×32 register tile's declaration and write-back (and those of its
 * 8- and 4-row edges), shared by the two AVX-512 micro-kernels (internal, macros only).
 *
 * gemm_avx512.c (fp32 FMAs) and gemm_avx512_bf16.c (VDPBF16PS) differ only in how they fill the
 * 24 accumulators c<r>_0, c<r>_1 (row r, columns 0..15 and 16..31); declaring them and adding
 * them into C is the same code, kept here once. Include after <immintrin.h>, inside a function
 * compiled with AVX-512F enabled; the macros name the micro-kernel's parameters c, ldc, m, n,
 * accumulate. */
#ifndef DN_KERNELS_GEMM_AVX512_TILE_H
#define DN_KERNELS_GEMM_AVX512_TILE_H

/* ROW(r) for each of the tile's 12 rows. */
#define DN_TILE_ROWS(ROW)                                                                       \
    do {                                                                                        \
        ROW(0); ROW(1); ROW(2); ROW(3); ROW(4); ROW(5);                                         \
        ROW(6); ROW(7); ROW(8); ROW(9); ROW(10); ROW(11);                                       \
    } while (0)

/* ROW(r) for the first 8 rows only: an edge tile of at most 8 rows (a batch of 128 rows is ten
 * 12-row tiles and one of 8) skips the FMAs of rows that lie past C. DN_TILE_ROWS4: the first 4
 * (fp32 only: 64 rows are five 12-row tiles and one of 4). */
#define DN_TILE_ROWS8(ROW)                                                                      \
    do {                                                                                        \
        ROW(0); ROW(1); ROW(2); ROW(3); ROW(4); ROW(5); ROW(6); ROW(7);                         \
    } while (0)
#define DN_TILE_ROWS4(ROW)                                                                      \
    do {                                                                                        \
        ROW(0); ROW(1); ROW(2); ROW(3);                                                         \
    } while (0)

/* Row r's two zeroed accumulators. */
#define DN_TILE_DECLARE(r) __m512 c##r##_0 = _mm512_setzero_ps(), c##r##_1 = _mm512_setzero_ps()
#define DN_TILE_DECLARE_4()                                                                     \
    DN_TILE_DECLARE(0); DN_TILE_DECLARE(1); DN_TILE_DECLARE(2); DN_TILE_DECLARE(3)
#define DN_TILE_DECLARE_8()                                                                     \
    DN_TILE_DECLARE_4(); DN_TILE_DECLARE(4); DN_TILE_DECLARE(5); DN_TILE_DECLARE(6);            \
    DN_TILE_DECLARE(7)
#define DN_TILE_DECLARE_ALL()                                                                   \
    DN_TILE_DECLARE_8(); DN_TILE_DECLARE(8); DN_TILE_DECLARE(9); DN_TILE_DECLARE(10);           \
    DN_TILE_DECLARE(11)

/* Full-tile write-back of row r: c row = (or +=) the accumulators, unmasked. The same add as the
 * edge writer, without the masks (this matters when kc is tiny, e.g. a 10-unit layer's input
 * gradient: +10 %). */
#define DN_TILE_WRITE_ROW(r)                                                                    \
    do {                                                                                        \
        float *row_ = c + (r) * ldc;                                                            \
        if (accumulate) {                                                                       \
            c##r##_0 = _mm512_add_ps(_mm512_loadu_ps(row_), c##r##_0);                          \
            c##r##_1 = _mm512_add_ps(_mm512_loadu_ps(row_ + 16), c##r##_1);                     \
        }                                                                                       \
        _mm512_storeu_ps(row_, c##r##_0);                                                       \
        _mm512_storeu_ps(row_ + 16, c##r##_1);                                                  \
    } while (0)

/* Edge-tile write-back of row r: masked (lanes `lo`, `hi` of the two halves), so only the m×n
 * corner inside C is read or written; row + 16 is formed only when n > 16 (it may lie past C). */
#define DN_TILE_WRITE_EDGE(r)                                                                   \
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

/* The whole write-back after the k loop of a tile of R rows (ROWS: DN_TILE_ROWS with R = 12, or
 * DN_TILE_ROWS8 / 4): unmasked for a full R×32 tile, masked otherwise. LANES(count) is the
 * kernel's 16-lane mask helper. */
#define DN_TILE_WRITE_ROWS(ROWS, R, LANES)                                                      \
    do {                                                                                        \
        if (m == (R) && n == 32) {                                                              \
            ROWS(DN_TILE_WRITE_ROW);                                                            \
        } else {                                                                                \
            __mmask16 lo = LANES(n), hi = LANES(n > 16 ? n - 16 : 0);                           \
            ROWS(DN_TILE_WRITE_EDGE);                                                           \
        }                                                                                       \
    } while (0)
#define DN_TILE_WRITE(LANES) DN_TILE_WRITE_ROWS(DN_TILE_ROWS, 12, LANES)

#endif
