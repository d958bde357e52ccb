/* gemm_bf16.h — the portable bf16 GEMM family (gemm_bf16.c; internal): operands rounded to bf16,
 * products summed in fp32 exactly as VDPBF16PS sums them, so it is the reference and the
 * fallback of gemm_avx512_bf16.c and gives the same bits on every CPU. */
#ifndef DN_KERNELS_GEMM_BF16_H
#define DN_KERNELS_GEMM_BF16_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* The portable bf16 family (always available). */
const dn_gemm_impl *dni_gemm_impl_bf16(void);

/* Packing for every bf16 family. A panel holds pairs: 32-bit words with op(A)[i][k] (or
 * op(B)[k][j]) in the low half and the next k in the high half, k = k0 + 2·q, both rounded by
 * dni_bf16_from_float. pack_a writes [⌈kc/2⌉][mr] words, pack_b [⌈kc/2⌉][nr]; an odd kc's last
 * high half, rows past m and columns past n are zero. `out` is a float buffer of the driver's
 * (kc·mr or kc·nr floats, of which these use about half). */
void dni_gemm_bf16_pack_a(const dn_gemm_problem *p, size_t i0, size_t m, size_t k0, size_t kc,
                          size_t mr, float *out);
void dni_gemm_bf16_pack_b(const dn_gemm_problem *p, size_t k0, size_t kc, size_t j0, size_t n,
                          size_t nr, float *out);

#endif
