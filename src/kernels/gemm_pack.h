/* gemm_pack.h — scalar packing of operands into panels (gemm_pack.c; internal). */
#ifndef DN_KERNELS_GEMM_PACK_H
#define DN_KERNELS_GEMM_PACK_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* Scalar packing for any mr/nr (gemm_pack.c); SIMD families override the hot cases. */
void dni_gemm_pack_a_generic(const dn_gemm_problem *p, size_t i0, size_t m, size_t k0, size_t kc,
                             size_t mr, float *out);
void dni_gemm_pack_b_generic(const dn_gemm_problem *p, size_t k0, size_t kc, size_t j0, size_t n,
                             size_t nr, float *out);

#endif
