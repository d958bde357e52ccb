/* gemm_blas.h — the optional BLAS backend (gemm_blas.c; internal). */
#ifndef DN_KERNELS_GEMM_BLAS_H
#define DN_KERNELS_GEMM_BLAS_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* The BLAS backend (gemm_blas.c): whether this build has one, and the product through it. */
int dni_gemm_blas_active(void);
void dni_gemm_blas(const dn_gemm_problem *p, int threads);

#endif
