/* gemm_avx512.h — the AVX-512 micro-kernel family (gemm_avx512.c; internal). */
#ifndef DN_KERNELS_GEMM_AVX512_H
#define DN_KERNELS_GEMM_AVX512_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* The AVX-512 kernel family; NULL when it was not compiled for this target. */
const dn_gemm_impl *dni_gemm_impl_avx512(void);

/* out[k·out_step + r] = src[r·ld + k] for k < kc, r < width (≤ 16): `rows` source rows of kc
 * 32-bit words, rows past `rows` zero; moves bits only, so bf16 pairs go through it too. x86
 * builds only, and only after CPUID says AVX-512F runs. */
void dni_gemm_avx512_pack_transposed(const float *src, size_t ld, size_t rows, size_t kc,
                                     float *out, size_t out_step, size_t width);

#endif
