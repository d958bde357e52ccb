/* gemm.c — which micro-kernel family runs a product: the caller's request, else the
 * DROPNET_KERNEL environment variable, else the best the CPU supports. Nothing is cached, so the
 * choice needs no global state (a getenv and two CPUID-table reads cost nanoseconds next to any
 * product worth dispatching). */
#include "kernels/gemm.h"
#include "kernels/cpu.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_avx2.h"
#include "kernels/gemm_avx512.h"
#include "kernels/gemm_blas.h"
#include "kernels/gemm_blocked.h"
#include "kernels/gemm_portable.h"
#include "kernels/gemm_small_m.h"

#include "core/threads.h"

#include <stdlib.h>
#include <string.h>

const dn_gemm_impl *dni_gemm_impl_of(dn_gemm_kernel kernel) {
    switch (kernel) {
    case DN_GEMM_AVX512: return dni_gemm_impl_avx512();
    case DN_GEMM_AVX2: return dni_gemm_impl_avx2();
    case DN_GEMM_PORTABLE: return dni_gemm_impl_portable();
    case DN_GEMM_BF16: return dni_gemm_impl_bf16();
    case DN_GEMM_AVX512_BF16: return dni_gemm_impl_avx512_bf16();
    case DN_GEMM_AUTO: break;
    }
    return NULL;
}

int dni_gemm_kernel_available(dn_gemm_kernel kernel) {
    switch (kernel) {
    case DN_GEMM_AVX512: return dni_gemm_impl_avx512() != NULL && dni_cpu_has_avx512f();
    case DN_GEMM_AVX2: return dni_gemm_impl_avx2() != NULL && dni_cpu_has_avx2_fma();
    case DN_GEMM_AVX512_BF16:
        return dni_gemm_impl_avx512_bf16() != NULL && dni_cpu_has_avx512_bf16();
    case DN_GEMM_BF16:
    case DN_GEMM_PORTABLE:
    case DN_GEMM_AUTO: return 1;
    }
    return 0;
}

static dn_gemm_kernel dn_gemm_best_kernel(void) {
    if (dni_gemm_kernel_available(DN_GEMM_AVX512)) return DN_GEMM_AVX512;
    if (dni_gemm_kernel_available(DN_GEMM_AVX2)) return DN_GEMM_AVX2;
    return DN_GEMM_PORTABLE;
}

static int dn_gemm_is_bf16(dn_gemm_kernel kernel) {
    return kernel == DN_GEMM_BF16 || kernel == DN_GEMM_AVX512_BF16;
}

/* DROPNET_KERNEL as a kernel; DN_GEMM_AUTO when unset or not one of the names. */
static dn_gemm_kernel dn_gemm_env_kernel(void) {
    const char *name = getenv("DROPNET_KERNEL");
    if (name == NULL) return DN_GEMM_AUTO;
    const dn_gemm_kernel named[] = {DN_GEMM_PORTABLE, DN_GEMM_AVX2, DN_GEMM_AVX512, DN_GEMM_BF16,
                                    DN_GEMM_AVX512_BF16};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; ++i)
        if (strcmp(name, dni_gemm_kernel_name(named[i])) == 0) return named[i];
    return DN_GEMM_AUTO;
}

dn_gemm_kernel dni_gemm_kernel_resolve(dn_gemm_kernel kernel) {
    /* DROPNET_KERNEL picks among the fp32 families only: an fp32 product never turns bf16. */
    if (kernel == DN_GEMM_AUTO && !dn_gemm_is_bf16(dn_gemm_env_kernel())) kernel = dn_gemm_env_kernel();
    if (kernel == DN_GEMM_AVX512_BF16 && !dni_gemm_kernel_available(kernel)) return DN_GEMM_BF16;
    if (kernel == DN_GEMM_AUTO || !dni_gemm_kernel_available(kernel))
        kernel = dn_gemm_best_kernel();
    return kernel;
}

const char *dni_gemm_kernel_name(dn_gemm_kernel kernel) {
    switch (kernel) {
    case DN_GEMM_AUTO: return "auto";
    case DN_GEMM_PORTABLE: return "portable";
    case DN_GEMM_AVX2: return "avx2";
    case DN_GEMM_AVX512: return "avx512";
    case DN_GEMM_BF16: return "bf16";
    case DN_GEMM_AVX512_BF16: return "avx512bf16";
    }
    return "?";
}

dn_gemm_kernel dni_gemm_with(dn_gemm_kernel kernel, int threads, int trans_a, int trans_b, size_t M,
                             size_t N, size_t K, const float *A, size_t lda, const float *B,
                             size_t ldb, float beta, float *C, size_t ldc) {
    dn_gemm_kernel chosen = dni_gemm_kernel_resolve(kernel);
    dn_gemm_problem p = {trans_a, trans_b, M, N, K, A, lda, B, ldb, beta, C, ldc, NULL, NULL};
    dni_gemm_blocked(dni_gemm_impl_of(chosen), threads, &p, NULL);
    return chosen;
}

size_t dni_gemm_workspace_floats(int threads) {
    const dn_gemm_kernel all[] = {DN_GEMM_PORTABLE, DN_GEMM_AVX2, DN_GEMM_AVX512, DN_GEMM_BF16,
                                  DN_GEMM_AVX512_BF16};
    size_t most = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i) {
        if (!dni_gemm_kernel_available(all[i])) continue;
        size_t floats = dni_gemm_per_thread_floats_max(dni_gemm_impl_of(all[i]));
        most = floats > most ? floats : most;
    }
    return most * (size_t)dni_threads_resolve(threads);
}

/* The problem on BLAS (a `make BLAS=openblas` build, kernel AUTO) or on dropnet's kernels. */
static void dn_gemm_run(dn_gemm_kernel kernel, const dn_gemm_workspace *ws, int threads,
                        const dn_gemm_problem *p) {
    if (kernel == DN_GEMM_AUTO && dni_gemm_blas_active()) dni_gemm_blas(p, threads);
    else dni_gemm_blocked(dni_gemm_impl_of(dni_gemm_kernel_resolve(kernel)), threads, p, ws);
}

void dni_gemm_ws_with(dn_gemm_kernel kernel, const dn_gemm_workspace *ws, int threads, int trans_a,
                      int trans_b, size_t M, size_t N, size_t K, const float *A, size_t lda,
                      const float *B, size_t ldb, float beta, float *C, size_t ldc) {
    dn_gemm_problem p = {trans_a, trans_b, M, N, K, A, lda, B, ldb, beta, C, ldc, NULL, NULL};
    dn_gemm_run(kernel, ws, threads, &p);
}

void dni_gemm_ws_epilogue(dn_gemm_kernel kernel, const dn_gemm_workspace *ws, int threads,
                          int trans_a, int trans_b, size_t M, size_t N, size_t K, const float *A,
                          size_t lda, const float *B, size_t ldb, float *C, size_t ldc,
                          const dn_gemm_epilogue *epilogue) {
    dn_gemm_problem p = {trans_a, trans_b, M, N, K, A, lda, B, ldb, 0.0f, C, ldc, epilogue, NULL};
    dn_gemm_run(kernel, ws, threads, &p);
}

void dni_gemm_ws(const dn_gemm_workspace *ws, int threads, int trans_a, int trans_b, size_t M,
                 size_t N, size_t K, const float *A, size_t lda, const float *B, size_t ldb,
                 float beta, float *C, size_t ldc) {
    dni_gemm_ws_with(DN_GEMM_AUTO, ws, threads, trans_a, trans_b, M, N, K, A, lda, B, ldb, beta, C,
                     ldc);
}

dn_gemm_kernel dni_gemm_precision_kernel(dn_gemm_precision precision) {
    if (precision != DN_GEMM_BF16_PRODUCTS) return DN_GEMM_AUTO;
    dn_gemm_kernel env = dn_gemm_env_kernel();
    /* A family other than the AVX-512 ones asked for: the portable emulation stands for it. */
    if (env == DN_GEMM_PORTABLE || env == DN_GEMM_AVX2 || env == DN_GEMM_BF16) return DN_GEMM_BF16;
    return dni_gemm_kernel_resolve(DN_GEMM_AVX512_BF16);
}

const char *dni_gemm_backend_name(void) {
    if (dni_gemm_blas_active()) return "openblas";
    return dni_gemm_kernel_name(dni_gemm_kernel_resolve(DN_GEMM_AUTO));
}

void dni_gemm_fused(dn_gemm_kernel kernel, const dn_gemm_workspace *ws, int threads, size_t M,
                    size_t N, size_t K, const float *A, size_t lda, const float *B, size_t ldb,
                    float *C, size_t ldc, const dn_gemm_epilogue *epilogue) {
    dn_gemm_problem p = {0, 0, M, N, K, A, lda, B, ldb, 0.0f, C, ldc, epilogue, NULL};
    const dn_gemm_impl *impl = dni_gemm_impl_of(dni_gemm_kernel_resolve(kernel));
    if (kernel == DN_GEMM_AUTO && dni_gemm_blas_active()) dni_gemm_blas(&p, threads);
    else if (!dni_gemm_small_m(impl, &p, threads)) /* a few rows: B read in place, same sums */
        dni_gemm_blocked(impl, threads, &p, ws);
}

void dni_gemm(int threads, int trans_a, int trans_b, size_t M, size_t N, size_t K, const float *A,
              size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc) {
    dni_gemm_ws(NULL, threads, trans_a, trans_b, M, N, K, A, lda, B, ldb, beta, C, ldc);
}
