/* gemm_small_m_bf16.h — the small-M kernel's bf16 tiles: VDPBF16PS over the bf16 pair panels
 * packed once for inference (gemm_small_m_bf16.c; internal, called by gemm_small_m.c). */
#ifndef DN_KERNELS_GEMM_SMALL_M_BF16_H
#define DN_KERNELS_GEMM_SMALL_M_BF16_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* Whether this build has the bf16 small-M tiles (x86-64 with a compiler that knows
 * AVX512_BF16); the caller also checks that `impl` is the AVX512_BF16 family, which exists
 * only where CPUID says the instructions run. */
int dni_gemm_small_m_bf16_compiled(void);

/* Panels [first, last) (of 32 columns) of every row of p: C = op(A)·B over B packed for the
 * AVX512_BF16 family (p->packed_b, dni_gemm_pack_b_once), then the epilogue on those columns.
 * Each element is summed as the blocked driver's 12×32 tile sums it: per K block of
 * dni_gemm_k_block(K, 256), from zero, one VDPBF16PS per pair of k in order over A rounded to bf16
 * by VCVTNE2PS2BF16, the block's sum added to C in block order. So results are bitwise those of
 * the AVX512_BF16 and the portable bf16 (gemm_bf16.c) families through the blocked driver.
 * Requires p->M ≤ DN_GEMM_SMALL_M_MAX, no transposes, beta 0, impl->kc ≤ DN_GEMM_MAX_KC. */
void dni_gemm_small_m_bf16_range(const dn_gemm_impl *impl, const dn_gemm_problem *p, size_t first,
                                 size_t last);

#endif
