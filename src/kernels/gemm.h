/* gemm.h — the one matrix product every dense layer uses (internal).
 *
 * C[M×N] = beta·C + op(A)·op(B), all row-major, where op(A) is A [M×K] (lda ≥ K) or, with
 * trans_a, Aᵀ for A stored [K×M] (lda ≥ M); likewise op(B) is B [K×N] or Bᵀ for B [N×K].
 * beta is 0 (overwrite; C need not be initialised) or 1 (accumulate).
 *
 * A dense layer needs three forms, none of which materialises a transpose:
 *   forward          Z  = X·W        (no transposes)
 *   input gradient   dX = dZ·Wᵀ      (trans_b)
 *   weight gradient  dW = Xᵀ·dZ      (trans_a)
 *
 * Determinism: each element of C is reduced over k in an order fixed by (M, N, K) alone, so
 * results never depend on the thread count. */
#ifndef DN_KERNELS_GEMM_H
#define DN_KERNELS_GEMM_H

#include <stddef.h>

void dn_gemm(int trans_a, int trans_b, size_t M, size_t N, size_t K, const float *A, size_t lda,
             const float *B, size_t ldb, float beta, float *C, size_t ldc);

#endif
