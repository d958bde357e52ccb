/* gemm_packed_part.h — one part of a matrix written into its packed panels in place
 * (gemm_packed_part.c; internal).
 *
 * A training step updates each dense kernel W [K×N] part by part, as the weight-gradient
 * product finishes the parts of dW (gemm.h's `finished` hook). Writing each updated part at once
 * into the two packed forms the next step multiplies by — W as the forward product's B and Wᵀ as
 * the input gradient's B (layout of gemm_packed.h) — spares that step both packings while the
 * part is still in cache. The floats written are exactly those dni_gemm_pack_b_once writes (for
 * Wᵀ: what it writes for the transposed matrix), so products over them give the same bits.
 *
 * Parts must keep bf16 pairs whole: rows [i0, i0+m) and columns [j0, j0+n) start at even
 * indices and have even lengths unless they end the matrix (what the GEMM driver's parts do:
 * tiles of mr rows and nr or 64 columns, all even). For the forward form the columns must also
 * be whole panels (j0 a multiple of impl->nr; n too, unless j0 + n = N). Parts of one matrix
 * write disjoint floats, so threads may write different parts at once. */
#ifndef DN_KERNELS_GEMM_PACKED_PART_H
#define DN_KERNELS_GEMM_PACKED_PART_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* W [K×N] (row stride ldw) rows [i0, i0+m) × columns [j0, j0+n) into `packed`, the form
 * dni_gemm_pack_b_once(impl, K, N, W, ldw, packed) writes. */
void dni_gemm_pack_b_part(const dn_gemm_impl *impl, size_t K, size_t N, const float *w, size_t ldw,
                          size_t i0, size_t m, size_t j0, size_t n, float *packed);

/* The same part into `packed`, the form of Wᵀ [N×K] that dni_gemm_pack_b_once(impl, N, K, Wᵀ, K,
 * packed) writes (what dni_gemm_prepacked takes for products X·Wᵀ). */
void dni_gemm_pack_bt_part(const dn_gemm_impl *impl, size_t K, size_t N, const float *w,
                           size_t ldw, size_t i0, size_t m, size_t j0, size_t n, float *packed);

/* Floats the larger of the two packed forms of a [K×N] matrix takes, for the family of those
 * this CPU runs that needs the most (what a buffer serving any of them must hold). */
size_t dni_gemm_packed_floats_any(size_t K, size_t N);

#endif
