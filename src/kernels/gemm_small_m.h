/* gemm_small_m.h — products of a few rows, B packed once or read in place (gemm_small_m.c;
 * internal). dni_gemm_fused and dni_gemm_prepacked try it first. */
#ifndef DN_KERNELS_GEMM_SMALL_M_H
#define DN_KERNELS_GEMM_SMALL_M_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* Most rows the small-M kernel takes; more run in the blocked driver (12-row tiles).
 * DN_GEMM_SMALL_M_PACKED_FP32_MAX is the bound for fp32 over B packed once (inference): there
 * the driver's row-edge tiles of 4 and 8 rows (gemm_avx512.c) beat the row groups here from 2
 * rows on (W2 network, 1 thread, CPU time per call: 2 rows 1.09×, 4 rows 1.11×, 8 rows 1.86×,
 * 16 rows 1.45× faster; 2026-12-02), and it needs no packing of B. In place the driver would
 * pack all of B per call, so up to 16 rows stay here. */
enum { DN_GEMM_SMALL_M_MAX = 16, DN_GEMM_SMALL_M_PACKED_FP32_MAX = 1 };

/* Runs p (no transposes, beta 0; B either packed for `impl` by dni_gemm_pack_b_once in
 * p->packed_b, or read in place from p->B with row stride p->ldb; an epilogue without dropout or
 * none) when `impl` has a small-M kernel and p->M ≤ DN_GEMM_SMALL_M_MAX (fp32 over packed B:
 * DN_GEMM_SMALL_M_PACKED_FP32_MAX), and returns 1; else returns 0 and does nothing.
 *
 * A tile of the blocked driver is 12 rows: one row there costs twelve rows of multiply-adds.
 * Here a group of up to 6 rows meets up to 4 panels (128 columns) at a time, with enough
 * independent accumulators to hide the FMA latency, and each panel is read once per row group,
 * so a one-row product runs at the speed the packed weights stream from cache.
 * Every element is summed exactly as the blocked driver sums it (one FMA chain from zero per K
 * block of dni_gemm_k_block, each block's sum added to C in order), then the epilogue runs on
 * the finished part, so results are bitwise those of dni_gemm_fused with the same family.
 * Threads split the panels; a product too small to repay waking a second thread (measured: a
 * one-row product over less than about 600 KB of weights) runs on the calling thread. */
int dni_gemm_small_m(const dn_gemm_impl *impl, const dn_gemm_problem *p, int threads);

#endif
