/* gemm_blocked.h — the packed, cache-blocked driver (gemm_blocked.c; internal). */
#ifndef DN_KERNELS_GEMM_BLOCKED_H
#define DN_KERNELS_GEMM_BLOCKED_H

#include "kernels/gemm_kernel.h"

#include <stddef.h>

/* Runs the packed, cache-blocked product on up to `threads` threads (≤ 0: all), packing into
 * `ws` when it is given and large enough, else into a workspace allocated for the call. */
void dni_gemm_blocked(const dn_gemm_impl *impl, int threads, const dn_gemm_problem *p,
                      const dn_gemm_workspace *ws);

/* The K block size of a product with inner dimension K under a family whose most is kc_max:
 * ceil(K/kc_max) blocks of nearly equal length. A function of K alone, so every element's sum
 * over k is split the same way whatever the thread count, and a pre-packed op(B) (gemm_packed.h)
 * can be cut in the blocks the driver will ask for. */
size_t dni_gemm_k_block(size_t K, size_t kc_max);

/* The grid of work units (gm row parts × gn column parts of C) dni_gemm_blocked would cut `p`
 * into on `threads` threads: for tests of the partition rules. */
void dni_gemm_unit_grid(const dn_gemm_impl *impl, const dn_gemm_problem *p, int threads,
                        size_t *gm, size_t *gn);

/* Floats of workspace one thread needs with `impl` for any product. */
size_t dni_gemm_per_thread_floats_max(const dn_gemm_impl *impl);

/* The same product on one thread with a stack workspace of one A and one B micro-panel (nc = nr):
 * what dni_gemm_blocked falls back to when its workspace cannot be allocated. Same results. */
void dni_gemm_blocked_small(const dn_gemm_impl *impl, const dn_gemm_problem *p);

#endif
