/* gemm_kernel.h — what a GEMM micro-kernel family provides to the blocked driver (internal to
 * src/kernels/gemm_*.c).
 *
 * The driver (gemm_blocked.c) cuts C into register tiles of mr×nr and K into blocks of at most
 * kc. For each block it packs operands into contiguous, zero-padded, k-major panels:
 *   A micro-panel  [kc][mr]  (mr consecutive rows of op(A), one k after another; stays in L1)
 *   B micro-panel  [kc][nr]  (nr consecutive columns of op(B); up to nc columns of them, the
 *                             B block, stay in L2)
 * and the micro-kernel multiplies one A micro-panel by one B micro-panel into a register tile.
 * Packing reads op(A)/op(B) straight from the caller's layout, so no transpose is materialised. */
#ifndef DN_KERNELS_GEMM_KERNEL_H
#define DN_KERNELS_GEMM_KERNEL_H

#include "kernels/gemm.h"

#include <stddef.h>

/* One product C = beta·C + op(A)·op(B), arguments as for dni_gemm. */
typedef struct dn_gemm_problem {
    int trans_a, trans_b;
    size_t M, N, K;
    const float *A;
    size_t lda;
    const float *B;
    size_t ldb;
    float beta;
    float *C;
    size_t ldc;
    const dn_gemm_epilogue *epilogue; /* NULL: none (see gemm.h) */
    const float *packed_b; /* op(B) packed once (gemm_packed.h) for this family, or NULL: the
                              driver packs each B block itself */
} dn_gemm_problem;

/* Packs rows [i0, i0+m) × k [k0, k0+kc) of op(A), m ≤ mr, into one micro-panel [kc][mr];
 * rows past m are zero. */
typedef void (*dn_gemm_pack_a_fn)(const dn_gemm_problem *p, size_t i0, size_t m, size_t k0,
                                  size_t kc, size_t mr, float *out);

/* Packs k [k0, k0+kc) × columns [j0, j0+n) of op(B), n ≤ nr, into one micro-panel [kc][nr];
 * columns past n are zero. */
typedef void (*dn_gemm_pack_b_fn)(const dn_gemm_problem *p, size_t k0, size_t kc, size_t j0,
                                  size_t n, size_t nr, float *out);

/* Packs k [k0, k0+kc) × columns [j0, j0+n) of op(B), n ≤ nc, into ⌈n/nr⌉ consecutive
 * micro-panels [kc][nr] (panel q at out + q·kc·nr; columns past n are zero): the same floats
 * as pack_b panel by panel, in whatever order reads op(B) fastest. */
typedef void (*dn_gemm_pack_b_block_fn)(const dn_gemm_problem *p, size_t k0, size_t kc,
                                        size_t j0, size_t n, float *out);

/* tile = a [kc][mr] · b [kc][nr], each element summed over k = 0, 1, … kc−1 in that order,
 * starting from 0 (one FMA chain per element in the SIMD kernels). Row k of `a` starts a_step
 * floats after row k−1: mr for a packed panel, lda when the driver passes Aᵀ in place.
 * Then, for the m×n corner of the tile that lies in C (m ≤ mr, n ≤ nr):
 * c[i·ldc + j] = tile (accumulate == 0; c is not read) or c[i·ldc + j] + tile (accumulate != 0).
 * The arithmetic of an element must not depend on m or n (edge tiles may take other code paths
 * but not other sums), so results never depend on the thread partition. `b` is 64-byte
 * aligned. */
typedef void (*dn_gemm_micro_fn)(size_t kc, const float *a, size_t a_step, const float *b,
                                 float *c, size_t ldc, size_t m, size_t n, int accumulate);

typedef struct dn_gemm_impl {
    dn_gemm_kernel kernel;
    size_t mr, nr; /* register tile */
    size_t kc;     /* most k per block: an A micro-panel kc×mr stays in L1 */
    size_t nc;     /* most columns per packed B block (a multiple of nr): kc×nc stays in L2 */
    dn_gemm_micro_fn micro;
    dn_gemm_pack_a_fn pack_a;
    dn_gemm_pack_b_fn pack_b;
    dn_gemm_pack_b_block_fn pack_b_block; /* NULL: the driver calls pack_b for each panel */
    int packs_pairs; /* bf16 families: panels hold bf16 pairs (gemm_bf16.h) and the micro-kernel
                        steps over ⌈kc/2⌉ pair rows, so op(A) is never read in place */
} dn_gemm_impl;

/* Every family keeps kc ≤ DN_GEMM_MAX_KC and mr + nr ≤ DN_GEMM_MAX_TILE_SPAN, so that the
 * out-of-memory path fits one A and one B micro-panel in a fixed stack buffer (50 KiB).
 * A micro-kernel may prefetch up to DN_GEMM_PREFETCH_SLACK floats past the end of its B panel
 * (the next panel, usually); the driver's buffers leave that much room after the last one. */
enum { DN_GEMM_MAX_KC = 256, DN_GEMM_MAX_TILE_SPAN = 48, DN_GEMM_PREFETCH_SLACK = 512 };

/* The functions of the kernel families, the driver, packing, the epilogue and BLAS are declared in
 * the headers named after their files (scripts/check_layout.sh); these includes keep code that
 * includes only gemm_kernel.h for them (tests, other branches) compiling. */
#include "kernels/gemm_avx2.h"
#include "kernels/gemm_avx512.h"
#include "kernels/gemm_avx512_bf16.h"
#include "kernels/gemm_bf16.h"
#include "kernels/gemm_blas.h"
#include "kernels/gemm_blocked.h"
#include "kernels/gemm_epilogue.h"
#include "kernels/gemm_pack.h"
#include "kernels/gemm_portable.h"

#endif
