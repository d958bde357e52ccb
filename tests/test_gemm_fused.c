/* test_gemm_fused.c — the GEMM's fused output pass (bias, activation, dropout) gives bitwise the
 * results of the separate passes, for every kernel the CPU runs, 1 and 2 threads, odd row counts,
 * and the out-of-memory path; the bit-packed mask it writes reads back as the dropout rule. */
#include "test.h"

#include "dropnet.h"
#include "core/rng.h"
#include "kernels/activation.h"
#include "kernels/dropout_kernel.h"
#include "kernels/gemm.h"
#include "kernels/gemm_kernel.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fill(float *x, size_t n, uint32_t seed) {
    for (size_t i = 0; i < n; ++i) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)((double)(seed >> 8) / (double)(1u << 24) * 2.0 - 1.0);
    }
}

typedef struct outputs {
    float *pre, *y, *dropped;
    uint32_t *bits;
} outputs;

static outputs outputs_make(size_t M, size_t N) {
    outputs o = {calloc(M * N, sizeof(float)), calloc(M * N, sizeof(float)),
                 calloc(M * N, sizeof(float)), calloc(M * N / 32 + 1, sizeof(uint32_t))};
    return o;
}

static void outputs_free(outputs *o) {
    free(o->pre);
    free(o->y);
    free(o->dropped);
    free(o->bits);
}

static int outputs_equal(const outputs *a, const outputs *b, size_t M, size_t N, int dropout) {
    size_t bytes = M * N * sizeof(float);
    return memcmp(a->pre, b->pre, bytes) == 0 && memcmp(a->y, b->y, bytes) == 0 &&
           (!dropout || (memcmp(a->dropped, b->dropped, bytes) == 0 &&
                         memcmp(a->bits, b->bits, (M * N + 31) / 32 * sizeof(uint32_t)) == 0));
}

enum { K = 300 };
static const float RATE_SCALE = 1.0f / (1.0f - 0.3f);
static const uint32_t THRESHOLD = 1288490189u; /* round(0.3 · 2^32) */

/* The separate passes: product (beta 0), bias, activation, dropout. */
static void unfused(dn_gemm_kernel kernel, int threads, size_t M, size_t N, const float *A,
                    const float *B, const float *bias, dn_activation act,
                    const dn_rng_stream *stream, outputs *o) {
    dni_gemm_with(kernel, threads, 0, 0, M, N, K, A, K, B, N, 0.0f, o->pre, N);
    for (size_t i = 0; i < M; ++i)
        for (size_t j = 0; j < N; ++j) o->pre[i * N + j] += bias[j];
    dni_activation_forward(act, o->pre, o->y, M, N, threads);
    if (stream != NULL)
        dni_dropout_mask_apply(stream, 7, THRESHOLD, RATE_SCALE, o->y, o->dropped, o->bits, M * N,
                               threads);
}

static dn_gemm_epilogue epilogue_of(const float *bias, dn_activation act,
                                    const dn_rng_stream *stream, outputs *o, size_t N) {
    dn_gemm_epilogue e = {bias, (int)act, o->y, N, stream, 7, THRESHOLD, RATE_SCALE,
                          o->dropped, o->bits, NULL, NULL};
    return e;
}

TEST(gemm_fused_output_pass_equals_the_separate_passes) {
    const dn_gemm_kernel kernels[] = {DN_GEMM_PORTABLE, DN_GEMM_AVX2, DN_GEMM_AVX512};
    const size_t rows[] = {1, 7, 33, 129};
    const size_t widths[] = {64, 192, 1, 17, 100}; /* the first two also fuse dropout */
    const dn_activation acts[] = {DN_ACT_RELU, DN_ACT_TANH, DN_ACT_SIGMOID, DN_ACT_GELU,
                                  DN_ACT_LINEAR};
    dn_rng_stream stream = dni_rng_stream_make(99, DN_RNG_DROPOUT, 3);
    int checked = 0;
    for (size_t k = 0; k < 3; ++k) {
        if (!dni_gemm_kernel_available(kernels[k])) continue;
        for (size_t r = 0; r < 4; ++r)
            for (size_t w = 0; w < 5; ++w) {
                size_t M = rows[r], N = widths[w];
                int dropout = N % 64 == 0;
                float *A = malloc(M * K * sizeof(float)), *B = malloc(K * N * sizeof(float));
                float *bias = malloc(N * sizeof(float));
                fill(A, M * K, (uint32_t)(M * 31 + N));
                fill(B, K * N, (uint32_t)(N * 17 + 5));
                fill(bias, N, 3);
                dn_activation act = acts[(r + w) % 5];
                outputs want = outputs_make(M, N);
                unfused(kernels[k], 1, M, N, A, B, bias, act, dropout ? &stream : NULL, &want);
                for (int threads = 1; threads <= 2; ++threads) {
                    outputs got = outputs_make(M, N);
                    dn_gemm_epilogue e = epilogue_of(bias, act, dropout ? &stream : NULL, &got, N);
                    dni_gemm_fused(kernels[k], NULL, threads, M, N, K, A, K, B, N, got.pre, N, &e);
                    CHECK_MSG(outputs_equal(&want, &got, M, N, dropout),
                              "%s, %zu×%zu, %s, %d thread(s): fused differs from separate passes",
                              dni_gemm_kernel_name(kernels[k]), M, N, dn_activation_name(act),
                              threads);
                    checked++;
                    outputs_free(&got);
                }
                /* The out-of-memory path (stack workspace) too. */
                outputs small = outputs_make(M, N);
                dn_gemm_epilogue e = epilogue_of(bias, act, dropout ? &stream : NULL, &small, N);
                dn_gemm_problem p = {0, 0, M, N, K, A, K, B, N, 0.0f, small.pre, N, &e, NULL};
                const dn_gemm_impl *impl = kernels[k] == DN_GEMM_PORTABLE ? dni_gemm_impl_portable()
                                           : kernels[k] == DN_GEMM_AVX2 ? dni_gemm_impl_avx2()
                                                                        : dni_gemm_impl_avx512();
                dni_gemm_blocked_small(impl, &p);
                CHECK_MSG(outputs_equal(&want, &small, M, N, dropout),
                          "%s, %zu×%zu: the stack-workspace path differs",
                          dni_gemm_kernel_name(kernels[k]), M, N);
                if (dropout) { /* the packed bits are the documented rule: word < threshold */
                    size_t e0 = M * N - 1;
                    uint32_t words[4];
                    dni_rng_block(&stream, 7, e0 / 4, words);
                    int kept = (small.bits[e0 >> 5] >> (e0 & 31)) & 1;
                    CHECK(kept == (words[e0 % 4] >= THRESHOLD));
                    CHECK(kept ? small.dropped[e0] == small.y[e0] * RATE_SCALE
                               : small.dropped[e0] == 0.0f);
                }
                outputs_free(&small);
                outputs_free(&want);
                free(A);
                free(B);
                free(bias);
            }
    }
    CHECK(checked >= 40); /* at least the portable kernel: 4 × 5 shapes × 2 thread counts */
}

/* Softmax is row-wise: the pass adds only the bias (y NULL), and C holds x·W + b. */
TEST(gemm_fused_bias_only_leaves_the_pre_activation) {
    enum { M = 5, N = 10 };
    float A[M * K], B[K * N], bias[N], fused[M * N], plain[M * N];
    fill(A, M * K, 1);
    fill(B, K * N, 2);
    fill(bias, N, 3);
    dni_gemm(1, 0, 0, M, N, K, A, K, B, N, 0.0f, plain, N); /* the same backend as the fused call */
    for (size_t i = 0; i < M * N; ++i) plain[i] += bias[i % N];
    dn_gemm_epilogue e = {bias, (int)DN_ACT_SOFTMAX, NULL, N, NULL, 0, 0, 1.0f, NULL, NULL, NULL, NULL};
    dni_gemm_fused(DN_GEMM_AUTO, NULL, 1, M, N, K, A, K, B, N, fused, N, &e);
    CHECK(memcmp(fused, plain, sizeof plain) == 0);
}

/* A model's dense layer followed by dropout runs fused in training; the dropout layer's output
 * and mask are still its own: stream (seed, DROPOUT, its index), the step, element r·width + c. */
TEST(fused_dense_dropout_pair_keeps_the_dropout_layers_rule) {
    enum { ROWS = 9, IN = 5, WIDTH = 128 };
    dn_error err;
    dn_model *m = NULL;
    dn_optimizer_config sgd = dn_optimizer_defaults(DN_OPTIMIZER_SGD);
    CHECK_OK(dn_model_from_spec(&m, IN, "dense:128:relu,dropout:0.4,dense:3:softmax", &err), &err);
    if (m == NULL) return;
    CHECK_OK(dn_model_compile(m, DN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &sgd, 21, &err), &err);
    float x[ROWS * IN];
    fill(x, ROWS * IN, 8);
    CHECK_OK(dn_model_forward(m, x, ROWS, DN_MODE_TRAINING, 5, NULL, &err), &err);
    const float *dense = dn_model_activation(m, 1, NULL, NULL);
    const float *dropped = dn_model_activation(m, 2, NULL, NULL);
    uint8_t keep[ROWS * WIDTH];
    CHECK_OK(dn_model_dropout_mask(m, 1, keep, NULL, &err), &err);
    dn_rng_stream s = dni_rng_stream_make(21, DN_RNG_DROPOUT, 1);
    uint32_t threshold = (uint32_t)(0.4 * 4294967296.0 + 0.5);
    float scale = (float)(1.0 / (1.0 - 0.4));
    int wrong = 0, positives = 0;
    for (size_t e = 0; e < ROWS * WIDTH; ++e) {
        uint32_t words[4];
        dni_rng_block(&s, 5, e / 4, words);
        int kept = words[e % 4] >= threshold;
        wrong += keep[e] != kept || dropped[e] != (kept ? dense[e] * scale : 0.0f);
        positives += dense[e] > 0.0f;
    }
    CHECK_MSG(wrong == 0, "%d of %d elements break the dropout rule", wrong, ROWS * WIDTH);
    CHECK(positives > ROWS * WIDTH / 4); /* relu passed values through: the check had content */
    dn_model_free(m);
}
