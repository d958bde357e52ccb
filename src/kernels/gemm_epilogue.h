/* gemm_epilogue.h — the fused pass over finished tiles of C (gemm_epilogue.c; internal). */
#ifndef DN_KERNELS_GEMM_EPILOGUE_H
#define DN_KERNELS_GEMM_EPILOGUE_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* The epilogue (gemm.h) on rows [i0, i0+m) × columns [j0, j0+n) of C, all finished. */
void dni_gemm_epilogue_apply(const dn_gemm_problem *p, size_t i0, size_t m, size_t j0, size_t n);

/* Columns of C are cut between threads at multiples of this (a fused dropout needs whole
 * 64-element mask chunks). */
size_t dni_gemm_column_quantum(const dn_gemm_impl *impl, const dn_gemm_problem *p);

#endif
