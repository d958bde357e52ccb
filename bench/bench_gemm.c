/* bench_gemm.c — GFLOP/s of dni_gemm per shape, kernel and thread count (1 and 2).
 *
 *   build/bench-gemm [seconds-per-case]          (make bench-gemm runs it; default 0.3 s)
 *
 * Shapes: 1024³ and the Fashion-MNIST MLP's products (batch 128, 784 → 1024 → 1024 → 10) in
 * their three forms: forward X·W, input gradient dZ·Wᵀ, weight gradient Xᵀ·dZ.
 * Each case repeats the product until `seconds` have passed (at least 3 runs after a warm-up)
 * and reports the best run, the usual convention for kernels; other processes on the machine
 * still move the numbers by several per cent, the 2-thread ones most.
 *
 * Environment:
 *   DROPNET_BENCH_KERNEL=avx512|avx2|portable   only that kernel (any other value: none)
 *   DROPNET_BENCH_BLAS=/path/to/libopenblas.so  adds a row per shape from that library's
 *       cblas_sgemm, loaded with dlopen so nothing here needs a BLAS at build time; its
 *       threads follow OPENBLAS_NUM_THREADS. */
#include "kernels/gemm.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct bench_shape {
    const char *name;
    int ta, tb;
    size_t M, N, K;
} bench_shape;

static const bench_shape shapes[] = {
    {"square 1024^3", 0, 0, 1024, 1024, 1024},
    {"fwd  128x784 . 784x1024", 0, 0, 128, 1024, 784},
    {"fwd  128x1024 . 1024x1024", 0, 0, 128, 1024, 1024},
    {"fwd  128x1024 . 1024x10", 0, 0, 128, 10, 1024},
    {"dX   128x1024 . (784x1024)T", 0, 1, 128, 784, 1024},
    {"dX   128x1024 . (1024x1024)T", 0, 1, 128, 1024, 1024},
    {"dX   128x10 . (1024x10)T", 0, 1, 128, 1024, 10},
    {"dW   (128x784)T . 128x1024", 1, 0, 784, 1024, 128},
    {"dW   (128x1024)T . 128x1024", 1, 0, 1024, 1024, 128},
    {"dW   (128x1024)T . 128x10", 1, 0, 1024, 10, 128},
};

/* cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc). */
typedef void (*cblas_sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
                               const float *, int, float, float *, int);
enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Deterministic values in [-1, 1). */
static void fill(float *x, size_t count, uint32_t seed) {
    for (size_t i = 0; i < count; ++i) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)(seed >> 8) / (float)(1u << 23) - 1.0f;
    }
}

/* One product: our kernel (blas == NULL) or the comparison library. */
static void run_once(const bench_shape *s, dn_gemm_kernel kernel, int threads,
                     cblas_sgemm_fn blas, const float *A, const float *B, float *C) {
    size_t lda = s->ta ? s->M : s->K, ldb = s->tb ? s->K : s->N;
    if (blas != NULL)
        blas(CBLAS_ROW_MAJOR, s->ta ? CBLAS_TRANS : CBLAS_NO_TRANS,
             s->tb ? CBLAS_TRANS : CBLAS_NO_TRANS, (int)s->M, (int)s->N, (int)s->K, 1.0f, A,
             (int)lda, B, (int)ldb, 0.0f, C, (int)s->N);
    else
        dni_gemm_with(kernel, threads, s->ta, s->tb, s->M, s->N, s->K, A, lda, B, ldb, 0.0f, C,
                      s->N);
}

/* Best GFLOP/s over repeated runs lasting about `seconds`. */
static double measure(const bench_shape *s, dn_gemm_kernel kernel, int threads,
                      cblas_sgemm_fn blas, const float *A, const float *B, float *C,
                      double seconds) {
    run_once(s, kernel, threads, blas, A, B, C); /* warm-up: caches, page faults, thread pool */
    double best = 1e30, start = now_seconds();
    for (int runs = 0; runs < 3 || now_seconds() - start < seconds; ++runs) {
        double t0 = now_seconds();
        run_once(s, kernel, threads, blas, A, B, C);
        double t = now_seconds() - t0;
        if (t < best) best = t;
    }
    return 2.0 * (double)s->M * (double)s->N * (double)s->K / best * 1e-9;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 0.3;
    const char *only = getenv("DROPNET_BENCH_KERNEL"); /* e.g. avx512: skip the others */
    cblas_sgemm_fn blas = NULL;
    const char *blas_path = getenv("DROPNET_BENCH_BLAS");
    if (blas_path != NULL) {
        void *lib = dlopen(blas_path, RTLD_NOW | RTLD_LOCAL);
        if (lib != NULL) *(void **)&blas = dlsym(lib, "cblas_sgemm");
        if (blas == NULL) fprintf(stderr, "bench-gemm: no cblas_sgemm in %s\n", blas_path);
    }
    const dn_gemm_kernel kernels[] = {DN_GEMM_AVX512, DN_GEMM_AVX2, DN_GEMM_PORTABLE};
    const int thread_counts[] = {1, 2};
    printf("%-30s %-9s %8s %8s\n", "shape (M x K . K x N)", "kernel", "1 thr", "2 thr");
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; ++si) {
        const bench_shape *s = &shapes[si];
        float *A = malloc(s->M * s->K * sizeof *A), *B = malloc(s->K * s->N * sizeof *B);
        float *C = malloc(s->M * s->N * sizeof *C);
        if (!A || !B || !C) return 1;
        fill(A, s->M * s->K, 1);
        fill(B, s->K * s->N, 2);
        for (size_t ki = 0; ki < sizeof kernels / sizeof kernels[0]; ++ki) {
            if (!dni_gemm_kernel_available(kernels[ki])) continue;
            if (only && strcmp(only, dni_gemm_kernel_name(kernels[ki])) != 0) continue;
            printf("%-30s %-9s", s->name, dni_gemm_kernel_name(kernels[ki]));
            for (size_t ti = 0; ti < sizeof thread_counts / sizeof thread_counts[0]; ++ti)
                printf(" %8.1f", measure(s, kernels[ki], thread_counts[ti], NULL, A, B, C,
                                         seconds));
            printf("\n");
            fflush(stdout);
        }
        if (blas != NULL) {
            printf("%-30s %-9s %8.1f  (OPENBLAS_NUM_THREADS)\n", s->name, "blas",
                   measure(s, DN_GEMM_AUTO, 0, blas, A, B, C, seconds));
        }
        free(A);
        free(B);
        free(C);
    }
    return 0;
}
