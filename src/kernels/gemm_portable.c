/* gemm_portable.c — a plain C GEMM: correct for every shape, and what faster kernels are
 * checked against. Loop orders keep the innermost loop on contiguous memory so compilers
 * vectorise it. */
#include "kernels/gemm.h"

#include <string.h>

/* C[i,:] (+)= Σ_k op(A)[i,k] · B[k,:]  — B not transposed. */
static void gemm_b_plain(int trans_a, size_t M, size_t N, size_t K, const float *A, size_t lda,
                         const float *B, size_t ldb, float *C, size_t ldc) {
    for (size_t i = 0; i < M; ++i) {
        float *c = C + i * ldc;
        for (size_t k = 0; k < K; ++k) {
            float a = trans_a ? A[k * lda + i] : A[i * lda + k];
            const float *b = B + k * ldb;
            for (size_t j = 0; j < N; ++j) c[j] += a * b[j];
        }
    }
}

/* C[i,j] (+)= dot(op(A)[i,:], B[j,:]) — B transposed, rows of B are contiguous. */
static void gemm_b_trans(int trans_a, size_t M, size_t N, size_t K, const float *A, size_t lda,
                         const float *B, size_t ldb, float *C, size_t ldc) {
    for (size_t i = 0; i < M; ++i) {
        for (size_t j = 0; j < N; ++j) {
            const float *b = B + j * ldb;
            float sum = 0.0f;
            if (trans_a) {
                for (size_t k = 0; k < K; ++k) sum += A[k * lda + i] * b[k];
            } else {
                const float *a = A + i * lda;
                for (size_t k = 0; k < K; ++k) sum += a[k] * b[k];
            }
            C[i * ldc + j] += sum;
        }
    }
}

void dn_gemm(int trans_a, int trans_b, size_t M, size_t N, size_t K, const float *A, size_t lda,
             const float *B, size_t ldb, float beta, float *C, size_t ldc) {
    if (beta == 0.0f) {
        for (size_t i = 0; i < M; ++i) memset(C + i * ldc, 0, N * sizeof *C);
    }
    if (trans_b)
        gemm_b_trans(trans_a, M, N, K, A, lda, B, ldb, C, ldc);
    else
        gemm_b_plain(trans_a, M, N, K, A, lda, B, ldb, C, ldc);
}
