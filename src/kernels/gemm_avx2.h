/* gemm_avx2.h — the AVX2+FMA micro-kernel family (gemm_avx2.c; internal). */
#ifndef DN_KERNELS_GEMM_AVX2_H
#define DN_KERNELS_GEMM_AVX2_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* The AVX2+FMA kernel family; NULL when it was not compiled for this target. */
const dn_gemm_impl *dni_gemm_impl_avx2(void);

#endif
