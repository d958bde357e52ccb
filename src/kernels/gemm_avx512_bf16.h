/* gemm_avx512_bf16.h — the AVX512_BF16 micro-kernel family (gemm_avx512_bf16.c; internal). */
#ifndef DN_KERNELS_GEMM_AVX512_BF16_H
#define DN_KERNELS_GEMM_AVX512_BF16_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>
#include <stdint.h>

/* The AVX512_BF16 kernel family; NULL when it was not compiled for this target. */
const dn_gemm_impl *dni_gemm_impl_avx512_bf16(void);

/* `rows` rows of src (row r at src + r·ld, kc ≤ 256 floats each) as bf16 pairs, rounded as the
 * family's packing rounds (VCVTNE2PS2BF16): out[r·out_ld + q] = (src[r][2q], src[r][2q+1]), the
 * high half of an odd kc's last pair zero. Writes whole 16-word groups (zeros past the pairs):
 * out 64-byte aligned, out_ld a multiple of 16 and ≥ 128. Only where CPUID has AVX512_BF16. */
void dni_gemm_avx512_bf16_row_pairs(const float *src, size_t ld, size_t rows, size_t kc,
                                    uint32_t *out, size_t out_ld);

#endif
