/* test_gemm_bf16.c — the bf16 products: fp32→bf16 rounding against hand-computed bits, both bf16
 * kernels against a double-precision reference built from bf16-rounded operands, and the
 * AVX512_BF16 kernel bit-identical to the portable emulation and to itself across thread
 * counts (the guarantee gemm_bf16.c documents). */
#include "test.h"

#include "kernels/bf16.h"
#include "kernels/gemm.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static float from_bits(uint32_t u) {
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

TEST(bf16_rounding_hand_values) {
    CHECK(dni_bf16_from_float(1.0f) == 0x3F80);
    CHECK(dni_bf16_from_float(-2.0f) == 0xC000);
    /* Ties go to even: 1 + 2^-8 lies halfway between 1 and 1 + 2^-7. */
    CHECK(dni_bf16_from_float(from_bits(0x3F808000u)) == 0x3F80);
    CHECK(dni_bf16_from_float(from_bits(0x3F818000u)) == 0x3F82);
    /* Just above and below the tie. */
    CHECK(dni_bf16_from_float(from_bits(0x3F808001u)) == 0x3F81);
    CHECK(dni_bf16_from_float(from_bits(0x3F807FFFu)) == 0x3F80);
    /* 0.1f = 0x3DCCCCCD → 0x3DCD (0.10009765625). */
    CHECK(dni_bf16_from_float(0.1f) == 0x3DCD);
    CHECK(dni_bf16_round(0.1f) == 0.10009765625f);
    /* Denormals read as zero (VCVTNE2PS2BF16), keeping the sign. */
    CHECK(dni_bf16_from_float(from_bits(0x00400000u)) == 0x0000);
    CHECK(dni_bf16_from_float(from_bits(0x80000001u)) == 0x8000);
    /* Past the largest bf16 (0x7F7F): infinity; infinities and NaN stay what they are. */
    CHECK(dni_bf16_from_float(3.4e38f) == 0x7F80);
    CHECK(dni_bf16_from_float(INFINITY) == 0x7F80);
    CHECK(isnan(dni_bf16_round(NAN)));
}

/* The product sees the rounded operands: (1 + 2^-9)·1 = 1 in bf16 (fp32 keeps 1 + 2^-9), and
 * 0.1·10 = 1.0009765625 exactly (both round-trips are exact products). */
TEST(bf16_gemm_rounds_operands_hand_values) {
    const dn_gemm_kernel kernels[] = {DN_GEMM_BF16, DN_GEMM_AVX512_BF16};
    for (size_t k = 0; k < 2; ++k) {
        float a[2] = {1.0f + 1.0f / 512.0f, 0.1f}, b[2] = {1.0f, 10.0f}, c = NAN;
        dni_gemm_with(kernels[k], 1, 0, 0, 1, 1, 1, a, 1, b, 1, 0.0f, &c, 1);
        CHECK(c == 1.0f);
        dni_gemm_with(kernels[k], 1, 0, 0, 1, 1, 2, a, 2, b, 1, 0.0f, &c, 1);
        CHECK_MSG(c == 1.0f + 1.0009765625f, "%s: %.9g", dni_gemm_kernel_name(kernels[k]),
                  (double)c);
    }
}

/* Uniform values in [-1, 1) from a xorshift64 state (never 0). */
static void fill(float *x, size_t count, uint64_t *state) {
    for (size_t i = 0; i < count; ++i) {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        x[i] = (float)((double)(*state >> 40) / (double)(1u << 23) - 1.0);
    }
}

typedef struct bf_case {
    int ta, tb;
    size_t M, N, K, lda, ldb, ldc;
    float *A, *B, *C0;
} bf_case;

static bf_case make_case(int ta, int tb, size_t M, size_t N, size_t K, uint64_t seed) {
    bf_case g = {ta, tb, M, N, K, (ta ? M : K) + 3, (tb ? K : N) + 5, N + 7, NULL, NULL, NULL};
    size_t a_size = (ta ? K - 1 : M - 1) * g.lda + (ta ? M : K);
    size_t b_size = (tb ? N - 1 : K - 1) * g.ldb + (tb ? K : N);
    g.A = malloc(a_size * sizeof(float));
    g.B = malloc(b_size * sizeof(float));
    g.C0 = malloc(M * g.ldc * sizeof(float));
    uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
    fill(g.A, a_size, &state);
    fill(g.B, b_size, &state);
    fill(g.C0, M * g.ldc, &state);
    return g;
}

static void free_case(bf_case *g) {
    free(g->A);
    free(g->B);
    free(g->C0);
}

static float *run(const bf_case *g, dn_gemm_kernel kernel, int threads, float beta) {
    float *C = malloc(g->M * g->ldc * sizeof(float));
    memcpy(C, g->C0, g->M * g->ldc * sizeof(float));
    dn_gemm_kernel ran = dni_gemm_with(kernel, threads, g->ta, g->tb, g->M, g->N, g->K, g->A,
                                       g->lda, g->B, g->ldb, beta, C, g->ldc);
    CHECK(ran == kernel);
    return C;
}

/* C = beta·C0 + Σ_k bf16(a)·bf16(b) in double; the fp32 sums may differ by the rounding of K
 * adds: |err| ≤ (K + 2)·2^-24·(Σ|ab| + |beta·c0|). Padding columns must be untouched. */
static void check_reference(const bf_case *g, const float *C, float beta, const char *name) {
    int bad = 0;
    for (size_t i = 0; i < g->M; ++i)
        for (size_t j = 0; j < g->ldc; ++j) {
            double want = g->C0[i * g->ldc + j], tol = 0.0;
            if (j < g->N) {
                double sum = 0.0, mag = 0.0, c0 = beta != 0.0f ? (double)beta * want : 0.0;
                for (size_t k = 0; k < g->K; ++k) {
                    float a = g->ta ? g->A[k * g->lda + i] : g->A[i * g->lda + k];
                    float b = g->tb ? g->B[j * g->ldb + k] : g->B[k * g->ldb + j];
                    double t = (double)dni_bf16_round(a) * (double)dni_bf16_round(b);
                    sum += t;
                    mag += fabs(t);
                }
                want = c0 + sum;
                tol = (double)(g->K + 2) * ldexp(1.0, -24) * (mag + fabs(c0));
            }
            double got = C[i * g->ldc + j];
            if (!(fabs(got - want) <= tol) && bad++ == 0)
                dn_test_fail(__FILE__, __LINE__, "%s ta=%d tb=%d %zux%zux%zu beta=%g: C[%zu,%zu] "
                             "= %.9g, expected %.9g ± %.3g", name, g->ta, g->tb, g->M, g->N, g->K,
                             (double)beta, i, j, got, want, tol);
        }
}

static const size_t shapes[][3] = {{1, 1, 1},    {7, 33, 3},    {13, 33, 17},  {33, 31, 300},
                                   {129, 65, 33}, {25, 300, 40}, {2, 70, 513},  {30, 64, 784}};

TEST(bf16_gemm_matches_rounded_reference_and_kernels_agree_bitwise) {
    int have_avx = dni_gemm_kernel_available(DN_GEMM_AVX512_BF16);
    const float betas[] = {0.0f, 1.0f, -0.5f};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; ++s)
        for (int form = 0; form < 4; ++form) {
            bf_case g = make_case(form & 1, form >> 1, shapes[s][0], shapes[s][1], shapes[s][2],
                                  s * 4 + (size_t)form + 1);
            for (size_t b = 0; b < 3; ++b) {
                float *ref = run(&g, DN_GEMM_BF16, 1, betas[b]);
                check_reference(&g, ref, betas[b], "bf16");
                if (have_avx) {
                    float *fast = run(&g, DN_GEMM_AVX512_BF16, 2, betas[b]);
                    CHECK_MSG(memcmp(fast, ref, g.M * g.ldc * sizeof(float)) == 0,
                              "avx512bf16 differs from the portable emulation: ta=%d tb=%d "
                              "%zux%zux%zu beta=%g", g.ta, g.tb, g.M, g.N, g.K, (double)betas[b]);
                    free(fast);
                }
                free(ref);
            }
            free_case(&g);
        }
    if (!have_avx) SKIP("this CPU has no AVX512_BF16: only the portable bf16 kernel was checked");
}

TEST(bf16_gemm_bit_identical_across_thread_counts) {
    const dn_gemm_kernel kernels[] = {DN_GEMM_BF16, DN_GEMM_AVX512_BF16};
    for (size_t k = 0; k < 2; ++k) {
        if (!dni_gemm_kernel_available(kernels[k])) continue;
        bf_case g = make_case(1, 0, 200, 300, 130, 77 + k);
        float *one = run(&g, kernels[k], 1, 0.0f);
        for (int threads = 2; threads <= 3; ++threads) {
            float *many = run(&g, kernels[k], threads, 0.0f);
            CHECK(memcmp(one, many, g.M * g.ldc * sizeof(float)) == 0);
            free(many);
        }
        free(one);
        free_case(&g);
    }
}

/* Which kernel a bf16 model gets: never an fp32 one, and DROPNET_KERNEL=portable forces the
 * emulation; an fp32 request never turns bf16 whatever DROPNET_KERNEL says. */
TEST(bf16_precision_kernel_dispatch) {
    const char *saved = getenv("DROPNET_KERNEL");
    char *copy = saved ? strdup(saved) : NULL;
    unsetenv("DROPNET_KERNEL");
    dn_gemm_kernel best = dni_gemm_kernel_available(DN_GEMM_AVX512_BF16) ? DN_GEMM_AVX512_BF16
                                                                          : DN_GEMM_BF16;
    CHECK(dni_gemm_precision_kernel(DN_GEMM_FP32) == DN_GEMM_AUTO);
    CHECK(dni_gemm_precision_kernel(DN_GEMM_BF16_PRODUCTS) == best);
    CHECK(dni_gemm_kernel_resolve(DN_GEMM_AVX512_BF16) == best);
    setenv("DROPNET_KERNEL", "portable", 1);
    CHECK(dni_gemm_precision_kernel(DN_GEMM_BF16_PRODUCTS) == DN_GEMM_BF16);
    setenv("DROPNET_KERNEL", "avx512bf16", 1);
    CHECK(dni_gemm_precision_kernel(DN_GEMM_BF16_PRODUCTS) == best);
    CHECK(dni_gemm_kernel_resolve(DN_GEMM_AUTO) != DN_GEMM_AVX512_BF16);
    setenv("DROPNET_KERNEL", "bf16", 1);
    CHECK(dni_gemm_kernel_resolve(DN_GEMM_AUTO) != DN_GEMM_BF16);
    CHECK(strcmp(dni_gemm_kernel_name(DN_GEMM_AVX512_BF16), "avx512bf16") == 0);
    if (copy) setenv("DROPNET_KERNEL", copy, 1);
    else unsetenv("DROPNET_KERNEL");
    free(copy);
}

/* Operands the rounding treats specially — exact ties (odd and even), denormals, values that
 * round up into the next binade, tiny products that underflow, large ones — give the same bits
 * from the AVX512_BF16 conversion and product as from the portable emulation, in all four forms.
 * Not sums that overflow fp32 on the way: there the emulation gives ±inf, and this AMD CPU's
 * VDPBF16PS a finite sum (its intermediate keeps a wider exponent; gemm_bf16.c). */
TEST(bf16_gemm_special_operands_agree_bitwise) {
    if (!dni_gemm_kernel_available(DN_GEMM_AVX512_BF16))
        SKIP("this CPU has no AVX512_BF16: nothing to compare the emulation with");
    const uint32_t special[] = {0x3F808000u, 0x3F818000u, 0x00400000u, 0x80000001u, 0x3FFFFFFFu,
                                0x1F800000u, 0x9F7FC000u, 0x00800000u, 0x5F800000u, 0xBF7F8000u};
    enum { M = 29, N = 45, K = 37 };
    float A[M * K], B[K * N];
    uint64_t state = 12345;
    fill(A, M * K, &state);
    fill(B, K * N, &state);
    for (size_t i = 0; i < M * K; i += 3) A[i] = from_bits(special[i % 10]);
    for (size_t i = 1; i < K * N; i += 4) B[i] = from_bits(special[(i / 4) % 10]);
    for (int form = 0; form < 4; ++form) {
        int ta = form & 1, tb = form >> 1;
        float c1[M * N], c2[M * N];
        dni_gemm_with(DN_GEMM_BF16, 1, ta, tb, M, N, K, A, ta ? M : K, B, tb ? K : N, 0.0f, c1, N);
        dni_gemm_with(DN_GEMM_AVX512_BF16, 1, ta, tb, M, N, K, A, ta ? M : K, B, tb ? K : N, 0.0f,
                      c2, N);
        CHECK_MSG(memcmp(c1, c2, sizeof c1) == 0, "form ta=%d tb=%d differs", ta, tb);
    }
}
