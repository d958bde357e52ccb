/* gemm_avx512.h — the AVX-512 micro-kernel family (gemm_avx512.c; internal). */
#ifndef DN_KERNELS_GEMM_AVX512_H
#define DN_KERNELS_GEMM_AVX512_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* The AVX-512 kernel family; NULL when it was not compiled for this target. */
const dn_gemm_impl *dni_gemm_impl_avx512(void);

#endif
