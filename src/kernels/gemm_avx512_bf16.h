/* gemm_avx512_bf16.h — the AVX512_BF16 micro-kernel family (gemm_avx512_bf16.c; internal). */
#ifndef DN_KERNELS_GEMM_AVX512_BF16_H
#define DN_KERNELS_GEMM_AVX512_BF16_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* The AVX512_BF16 kernel family; NULL when it was not compiled for this target. */
const dn_gemm_impl *dni_gemm_impl_avx512_bf16(void);

#endif
