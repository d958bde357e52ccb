/* gemm_portable.h — the portable C micro-kernel family (gemm_portable.c; internal). */
#ifndef DN_KERNELS_GEMM_PORTABLE_H
#define DN_KERNELS_GEMM_PORTABLE_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* The portable kernel family; NULL when it was not compiled for this target. */
const dn_gemm_impl *dni_gemm_impl_portable(void);

#endif
