/* gemm.h — the one matrix product every dense layer uses (internal).
 *
 * C[M×N] = beta·C + op(A)·op(B), all row-major, where op(A) is A [M×K] (lda ≥ K) or, with
 * trans_a, Aᵀ for A stored [K×M] (lda ≥ M); likewise op(B) is B [K×N] (ldb ≥ N) or, with
 * trans_b, Bᵀ for B stored [N×K] (ldb ≥ K). ldc ≥ N.
 * beta 0 overwrites (C need not be initialised: it is never read, so NaN garbage is harmless),
 * beta 1 accumulates; any other beta scales C first.
 *
 * A dense layer needs three forms, none of which materialises a transpose:
 *   forward          Z  = X·W        (no transposes)
 *   input gradient   dX = dZ·Wᵀ      (trans_b)
 *   weight gradient  dW = Xᵀ·dZ      (trans_a)
 *
 * Implementation: operands are packed into cache-sized panels and multiplied by a register-tiled
 * micro-kernel (AVX-512, AVX2+FMA, or portable C), chosen at run time from CPUID.
 *
 * Kernel choice: dni_gemm takes the best kernel the CPU runs, unless the environment variable
 *   DROPNET_KERNEL=avx512 | avx2 | portable
 * asks for another (for tests, benchmarks and bisecting numerical differences). A request the CPU
 * cannot run, or an unknown value, falls back to the best available kernel. The variable is read
 * at every call (no cached global), so it may be changed between calls but not concurrently with
 * them (the usual getenv/setenv rule).
 *
 * Threads: `threads` ≤ 0 means all cores (omp_get_max_threads(), which honours OMP_NUM_THREADS);
 * small products use fewer threads than asked. Without OpenMP the product is single-threaded.
 *
 * Determinism: for a given kernel, each element of C is reduced over k in an order fixed by
 * (M, N, K) alone — threads split C into tiles and never split K — so results are bit-identical
 * whatever the thread count. Different kernels round differently (FMA, summation blocks).
 *
 * Memory: a packing workspace (at most about 1 MiB per thread: one kc×nc block of op(B)) is
 * allocated (zeroed) per call and freed before returning, since this interface has nowhere to
 * keep one; on the MLP shapes that costs about 1 %. If the allocation fails, the product runs
 * single-threaded on a 50 KiB stack workspace with the same results, so these functions cannot
 * fail. */
#ifndef DN_KERNELS_GEMM_H
#define DN_KERNELS_GEMM_H

#include "core/rng.h"

#include <stddef.h>
#include <stdint.h>

/* The micro-kernel families. DN_GEMM_AUTO means "the dispatcher decides" (DROPNET_KERNEL, else
 * the best the CPU runs). */
typedef enum dn_gemm_kernel {
    DN_GEMM_AUTO = 0,
    DN_GEMM_PORTABLE,
    DN_GEMM_AVX2,  /* AVX2 + FMA3, 6×16 register tile */
    DN_GEMM_AVX512, /* AVX-512F, 12×32 register tile */
    /* bf16 products (operands rounded to bf16, sums in fp32): never chosen by DN_GEMM_AUTO,
     * only asked for (dni_gemm_precision_kernel). Both give the same bits (gemm_bf16.c). */
    DN_GEMM_BF16,       /* portable C emulation of VDPBF16PS, 4×16 tile */
    DN_GEMM_AVX512_BF16 /* AVX512_BF16 VDPBF16PS, 12×32 tile */
} dn_gemm_kernel;

/* The precision of a model's products: fp32, or bf16 operands with fp32 sums (the arithmetic
 * of PyTorch's CPU autocast to bfloat16). Values match the public dn_precision. */
typedef enum dn_gemm_precision { DN_GEMM_FP32 = 0, DN_GEMM_BF16_PRODUCTS = 1 } dn_gemm_precision;

/* The kernel request for a precision: DN_GEMM_AUTO for fp32 (dispatcher, BLAS build included);
 * for bf16, DN_GEMM_AVX512_BF16 where the CPU runs it and DROPNET_KERNEL does not name another
 * family ("portable" or "avx2" → DN_GEMM_BF16, the portable emulation), else DN_GEMM_BF16. */
dn_gemm_kernel dni_gemm_precision_kernel(dn_gemm_precision precision);


/* A caller-owned packing workspace, so that a training step allocates nothing: the model sizes
 * one with dni_gemm_workspace_floats when it sizes its activations. Its contents never matter
 * (every panel is packed before it is read). */
typedef struct dn_gemm_workspace {
    float *data;   /* 64-byte aligned */
    size_t floats;
} dn_gemm_workspace;

/* Floats a workspace needs so that any product with any kernel on up to `threads` threads
 * (≤ 0: all cores) runs in it. */
size_t dni_gemm_workspace_floats(int threads);

/* As dni_gemm, packing into `ws` when it is large enough (else allocating as dni_gemm does). */
void dni_gemm_ws(const dn_gemm_workspace *ws, int threads, int trans_a, int trans_b, size_t M,
                 size_t N, size_t K, const float *A, size_t lda, const float *B, size_t ldb,
                 float beta, float *C, size_t ldc);

/* As dni_gemm_ws with a requested kernel (DN_GEMM_AUTO: exactly dni_gemm_ws). */
void dni_gemm_ws_with(dn_gemm_kernel kernel, const dn_gemm_workspace *ws, int threads, int trans_a,
                      int trans_b, size_t M, size_t N, size_t K, const float *A, size_t lda,
                      const float *B, size_t ldb, float beta, float *C, size_t ldc);

/* C = beta·C + op(A)·op(B) with the dispatcher's kernel (or the BLAS backend of a
 * `make BLAS=openblas` build, as dni_gemm_ws and dni_gemm_fused with DN_GEMM_AUTO); see the top of
 * this file. dni_gemm_with always runs dropnet's own kernels. */
void dni_gemm(int threads, int trans_a, int trans_b, size_t M, size_t N, size_t K, const float *A,
              size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc);

/*
 * The output pass of a dense layer's forward product, fused into the GEMM: as each tile of C gets
 * its last K block, while it is still in cache, the driver applies
 *   C += bias (per column), then y = act(C), then (optionally) inverted dropout on y:
 *   out = kept ? y·scale : 0 with the mask bits of dni_dropout_mask_apply for the [M×N] array.
 * Per element this is the same arithmetic as the separate passes (product with beta 0, then
 * bias, activation and dropout), so fused and unfused results are bitwise equal, for any thread
 * count. Activations must be element-wise (softmax is row-wise: run it after, with y NULL).
 * Dropout needs N % 64 == 0 and ldy == N (whole 64-element mask chunks per thread); the driver
 * then cuts C's columns at multiples of 64.
 */
typedef struct dn_gemm_epilogue {
    const float *bias;      /* [N], or NULL for none */
    int activation;         /* a dn_activation other than softmax */
    float *y;               /* act(C) [M×ldy], or NULL: bias only, C holds the result */
    size_t ldy;
    const dn_rng_stream *stream; /* dropout after the activation, or NULL for none */
    uint64_t step;
    uint32_t threshold;     /* dropped ⇔ Philox word < threshold */
    float scale;            /* 1/(1 − rate) */
    float *dropped;         /* out [M×N] */
    uint32_t *bits;         /* mask bits [⌈M·N/32⌉] */
    /* Called last, once for every finished part of C (rows [i0, i0+m) × columns [j0, j0+n)),
     * on the thread that computed it, with `context`; NULL for none. A training step's weight
     * gradient applies the optimizer here (network.h), while the part is in cache. */
    void (*finished)(void *context, size_t i0, size_t m, size_t j0, size_t n);
    void *context;
} dn_gemm_epilogue;

/* C [M×N] = A [M×K] · B [K×N] (no transposes, beta 0), then the epilogue. Up to 16 rows without
 * dropout run in the small-M kernel (gemm_small_m.h), which reads B in place: same sums. */
void dni_gemm_fused(dn_gemm_kernel kernel, const dn_gemm_workspace *ws, int threads, size_t M,
                    size_t N, size_t K, const float *A, size_t lda, const float *B, size_t ldb,
                    float *C, size_t ldc, const dn_gemm_epilogue *epilogue);

/* C [M×N] = op(A)·op(B) (beta 0) as dni_gemm_ws_with, then the epilogue on each finished part
 * of C, as dni_gemm_fused does (any transposes; no small-M path). */
void dni_gemm_ws_epilogue(dn_gemm_kernel kernel, const dn_gemm_workspace *ws, int threads,
                          int trans_a, int trans_b, size_t M, size_t N, size_t K, const float *A,
                          size_t lda, const float *B, size_t ldb, float *C, size_t ldc,
                          const dn_gemm_epilogue *epilogue);

/* The same product with a requested kernel (DN_GEMM_AUTO: as dni_gemm). Returns the kernel that
 * actually ran, i.e. dni_gemm_kernel_resolve(kernel). */
dn_gemm_kernel dni_gemm_with(dn_gemm_kernel kernel, int threads, int trans_a, int trans_b, size_t M,
                             size_t N, size_t K, const float *A, size_t lda, const float *B,
                             size_t ldb, float beta, float *C, size_t ldc);

/* 1 when this CPU can run `kernel` (DN_GEMM_AUTO and DN_GEMM_PORTABLE always). */
int dni_gemm_kernel_available(dn_gemm_kernel kernel);

/* The kernel a request turns into on this CPU: AUTO → DROPNET_KERNEL or the best; an unavailable
 * kernel → the best available (an unavailable DN_GEMM_AVX512_BF16 → DN_GEMM_BF16, so a bf16
 * request always stays bf16). Never returns DN_GEMM_AUTO. */
dn_gemm_kernel dni_gemm_kernel_resolve(dn_gemm_kernel kernel);

/* What runs the model's products: "openblas" in a `make BLAS=openblas` build, else the name of
 * dni_gemm_kernel_resolve(DN_GEMM_AUTO). */
const char *dni_gemm_backend_name(void);

/* "auto", "portable", "avx2", "avx512", "bf16", "avx512bf16" ("?" for an unknown value). Never
 * NULL. */
const char *dni_gemm_kernel_name(dn_gemm_kernel kernel);

/* The kernel family that runs `kernel` (never NULL for an available kernel); the type is
 * gemm_kernel.h's dn_gemm_impl. */
struct dn_gemm_impl;
const struct dn_gemm_impl *dni_gemm_impl_of(dn_gemm_kernel kernel);

#endif
