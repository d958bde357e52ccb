/* gemm_blas.c — the optional BLAS backend (`make BLAS=openblas`): the model's products go to
 * OpenBLAS's cblas_sgemm instead of dropnet's kernels, for comparison. The fused output pass runs
 * after the product, over bands of rows. Built only with -DDN_BLAS_OPENBLAS; the built-in
 * kernels stay the default, and dni_gemm_with(kernel, ...) always runs dropnet's own.
 *
 * Differences from the built-in path: OpenBLAS decides its own threads (OPENBLAS_NUM_THREADS or
 * OpenMP's), so bit-identical results across thread counts are not guaranteed; and Debian's
 * OpenBLAS 0.3.21 picks its kernels from its own CPU detection, which calls this AVX-512 machine
 * "Prescott" unless OPENBLAS_CORETYPE is set (the CLI sets it from CPUID, cli/main.c); and the
 * products themselves do not flush denormals. */
#include "kernels/gemm_blas.h"
#include "kernels/gemm_kernel.h"

#include "core/fpu.h"
#include "core/threads.h"
#include "kernels/dropout_kernel.h"

#ifdef DN_BLAS_OPENBLAS
#include <cblas.h>

int dni_gemm_blas_active(void) { return 1; }

void dni_gemm_blas(const dn_gemm_problem *p, int threads) {
    if (p->M == 0 || p->N == 0) return;
    /* Not in flush-to-zero mode: OpenBLAS's threads are its own, and would inherit the mode if
     * its pool started here. Its products therefore keep denormals (core/fpu.h). */
    cblas_sgemm(CblasRowMajor, p->trans_a ? CblasTrans : CblasNoTrans,
                p->trans_b ? CblasTrans : CblasNoTrans, (int)p->M, (int)p->N, (int)p->K, 1.0f,
                p->A, (int)p->lda, p->B, (int)p->ldb, p->beta, p->C, (int)p->ldc);
    if (p->epilogue == NULL) return;
    /* Bands of whole rows: every band is whole 64-element mask chunks when N % 64 == 0. */
    int team = dni_threads_for(threads, p->M * p->N, 1 << 15);
    (void)team;
#pragma omp parallel for num_threads(team) schedule(static)
    for (int t = 0; t < team; ++t) {
        unsigned mode = dni_fpu_enter(); /* per thread: core/fpu.h */
        size_t r0 = p->M * (size_t)t / (size_t)team, r1 = p->M * (size_t)(t + 1) / (size_t)team;
        if (r1 > r0) dni_gemm_epilogue_apply(p, r0, r1 - r0, 0, p->N);
        dni_fpu_leave(mode);
    }
}
#else
int dni_gemm_blas_active(void) { return 0; }

void dni_gemm_blas(const dn_gemm_problem *p, int threads) {
    (void)p;
    (void)threads;
}
#endif
