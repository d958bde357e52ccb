/* gemm_packed.h — op(B) packed once and reused by many products (gemm_packed.c; internal).
 *
 * Inference multiplies the same weights by every batch, so their packing (a pass over all of B
 * per call, the whole cost of a one-row product) can be done once. The packed layout is exactly
 * the panels the blocked driver (gemm_blocked.c) would build for the family `impl`: K cut into
 * the blocks dni_gemm_k_block gives, and within a K block of kc rows, the ⌈N/nr⌉ micro-panels
 * [kc][nr] one after another (zero-padded past column N). The K block starting at k0 therefore
 * starts at k0·N_pad (N_pad = ⌈N/nr⌉·nr) and its panel of columns [j0, j0+nr) at k0·N_pad + j0·kc.
 * Products over a packed B add exactly what the unpacked product adds, in the same order, so the
 * results are bitwise the same as dni_gemm_fused's with that family, for any thread count. */
#ifndef DN_KERNELS_GEMM_PACKED_H
#define DN_KERNELS_GEMM_PACKED_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* Floats the packed form of a [K×N] B takes for `impl` (with the micro-kernel's prefetch slack
 * after the last panel). */
size_t dni_gemm_packed_floats(const dn_gemm_impl *impl, size_t K, size_t N);

/* Where the panel of columns [j0, j0+nr) of the K block [k0, k0+kc) starts in the packed form
 * (j0 a multiple of nr, k0 and kc as dni_gemm_k_block cuts K). */
size_t dni_gemm_packed_offset(const dn_gemm_impl *impl, size_t N, size_t k0, size_t kc, size_t j0);

/* Packs B [K×N] (row stride ldb ≥ N) for `impl` into out [dni_gemm_packed_floats], which must be
 * 64-byte aligned. */
void dni_gemm_pack_b_once(const dn_gemm_impl *impl, size_t K, size_t N, const float *B, size_t ldb,
                          float *out);

/* C [M×N] = A [M×K] · B (packed for `impl` by dni_gemm_pack_b_once), then the epilogue (which
 * must not ask for dropout). Up to a few rows run in a small-M kernel that streams the panels
 * once per group of rows (gemm_small_m.h) where the family has one; larger M run in the blocked
 * driver, which then skips its packing of B. The same results as dni_gemm_fused with `impl`'s
 * kernel, bit for bit, whatever `threads`. */
void dni_gemm_prepacked(const dn_gemm_impl *impl, const dn_gemm_workspace *ws, int threads,
                        size_t M, size_t N, size_t K, const float *A, size_t lda,
                        const float *packed, float *C, size_t ldc,
                        const dn_gemm_epilogue *epilogue);

#endif
