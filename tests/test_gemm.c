/* test_gemm.c — every GEMM kernel the CPU runs against a double-precision reference, on odd shapes,
 * all four transpose forms, beta 0/1/other and padded leading dimensions; plus bit-identical
 * results across thread counts, the out-of-memory path, and kernel dispatch. */
#include "test.h"

#include "kernels/gemm.h"
#include "kernels/gemm_kernel.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Fills x[count] with uniform values in [-1, 1) from a xorshift64 state (never 0). */
static void fill_uniform(float *x, size_t count, uint64_t *state) {
    for (size_t i = 0; i < count; ++i) {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        x[i] = (float)((double)(*state >> 40) / (double)(1u << 23) - 1.0);
    }
}

/* One test product: op(A) [M×K], op(B) [K×N], C [M×N], each stored with a padded row. */
typedef struct gemm_case {
    int ta, tb;
    size_t M, N, K, lda, ldb, ldc;
    float *A, *B, *C0;   /* inputs; C0 is the C before the product */
    double *ref, *bound; /* op(A)·op(B) and Σ_k |a||b| per element, [M×N] */
} gemm_case;

static float op_a(const gemm_case *g, size_t i, size_t k) {
    return g->ta ? g->A[k * g->lda + i] : g->A[i * g->lda + k];
}
static float op_b(const gemm_case *g, size_t k, size_t j) {
    return g->tb ? g->B[j * g->ldb + k] : g->B[k * g->ldb + j];
}

/* Builds a case with random data and its reference, computed in double by the definition. */
static gemm_case case_make(int ta, int tb, size_t M, size_t N, size_t K, uint64_t seed) {
    gemm_case g = {ta, tb, M, N, K, 0, 0, 0, NULL, NULL, NULL, NULL, NULL};
    /* Leading dimensions larger than the rows, by amounts that break any alignment. */
    g.lda = (ta ? M : K) + 3;
    g.ldb = (tb ? K : N) + 5;
    g.ldc = N + 7;
    /* A and B end right after their last element (not their last row's padding), so that
     * AddressSanitizer catches a kernel reading past the matrix. */
    size_t a_size = (ta ? K - 1 : M - 1) * g.lda + (ta ? M : K);
    size_t b_size = (tb ? N - 1 : K - 1) * g.ldb + (tb ? K : N);
    g.A = malloc(a_size * sizeof(float));
    g.B = malloc(b_size * sizeof(float));
    g.C0 = malloc(M * g.ldc * sizeof(float));
    g.ref = malloc(M * N * sizeof(double));
    g.bound = malloc(M * N * sizeof(double));
    uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
    fill_uniform(g.A, a_size, &state);
    fill_uniform(g.B, b_size, &state);
    fill_uniform(g.C0, M * g.ldc, &state);
    for (size_t i = 0; i < M; ++i)
        for (size_t j = 0; j < N; ++j) {
            double sum = 0.0, abs_sum = 0.0;
            for (size_t k = 0; k < K; ++k) {
                double t = (double)op_a(&g, i, k) * (double)op_b(&g, k, j);
                sum += t;
                abs_sum += fabs(t);
            }
            g.ref[i * N + j] = sum;
            g.bound[i * N + j] = abs_sum;
        }
    return g;
}

static void case_free(gemm_case *g) {
    free(g->A);
    free(g->B);
    free(g->C0);
    free(g->ref);
    free(g->bound);
}

/* A C buffer for a run: C0 (beta ≠ 0) or NaN (beta = 0: C must not be read), with a sentinel in
 * the row padding that the product must leave alone. */
static float *case_output(const gemm_case *g, float beta) {
    float *C = malloc(g->M * g->ldc * sizeof(float));
    for (size_t i = 0; i < g->M; ++i)
        for (size_t j = 0; j < g->ldc; ++j)
            C[i * g->ldc + j] = j >= g->N ? 12345.0f : beta != 0.0f ? g->C0[i * g->ldc + j] : NAN;
    return C;
}

/* Checks C = beta·C0 + ref within 1e-5·(Σ|a||b| + |beta·c0|) and the padding untouched; returns
 * the number of bad elements (reports the first). */
static int case_check(const gemm_case *g, const float *C, float beta, const char *kernel) {
    int bad = 0;
    for (size_t i = 0; i < g->M; ++i)
        for (size_t j = 0; j < g->ldc; ++j) {
            double got = C[i * g->ldc + j], want, tol;
            if (j >= g->N) {
                want = 12345.0;
                tol = 0.0;
            } else {
                double c0 = beta != 0.0f ? (double)beta * g->C0[i * g->ldc + j] : 0.0;
                want = c0 + g->ref[i * g->N + j];
                tol = 1e-5 * (g->bound[i * g->N + j] + fabs(c0)) + 1e-30;
            }
            if (!(fabs(got - want) <= tol) && bad++ == 0)
                dn_test_fail(__FILE__, __LINE__,
                             "%s ta=%d tb=%d M=%zu N=%zu K=%zu beta=%g: C[%zu,%zu] = %.9g, "
                             "expected %.9g ± %.3g",
                             kernel, g->ta, g->tb, g->M, g->N, g->K, (double)beta, i, j, got, want,
                             tol);
        }
    return bad;
}

static const dn_gemm_kernel all_kernels[] = {DN_GEMM_PORTABLE, DN_GEMM_AVX2, DN_GEMM_AVX512};
enum { KERNEL_COUNT = sizeof all_kernels / sizeof all_kernels[0] };

/* Runs one case through every available kernel, each beta, and checks it. */
static void case_run_all_kernels(const gemm_case *g, int threads) {
    const float betas[] = {0.0f, 1.0f, -0.5f};
    for (size_t kk = 0; kk < KERNEL_COUNT; ++kk) {
        if (!dni_gemm_kernel_available(all_kernels[kk])) continue;
        for (size_t bi = 0; bi < sizeof betas / sizeof betas[0]; ++bi) {
            float *C = case_output(g, betas[bi]);
            dn_gemm_kernel ran = dni_gemm_with(all_kernels[kk], threads, g->ta, g->tb, g->M, g->N,
                                               g->K, g->A, g->lda, g->B, g->ldb, betas[bi], C,
                                               g->ldc);
            CHECK(ran == all_kernels[kk]);
            case_check(g, C, betas[bi], dni_gemm_kernel_name(all_kernels[kk]));
            free(C);
        }
    }
}

/* Shapes {M, N, K}: 1, 7, 33, 129, 300 and sizes just past the tiles (12, 32, 6, 16, 4, 8), the
 * K block (256) and the A block (384 rows). */
static const size_t shapes[][3] = {
    {1, 1, 1},     {1, 7, 33},     {7, 1, 129},   {33, 129, 1},  {7, 7, 7},
    {13, 33, 17},  {33, 31, 300},  {129, 17, 33}, {129, 129, 129}, {300, 65, 7},
    {25, 300, 40}, {2, 300, 257},  {391, 9, 70},  {48, 96, 513},
};

TEST(gemm_matches_double_reference_every_kernel_and_form) {
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; ++s)
        for (int form = 0; form < 4; ++form) {
            gemm_case g = case_make(form & 1, form >> 1 & 1, shapes[s][0], shapes[s][1],
                                    shapes[s][2], 17 * s + (size_t)form);
            case_run_all_kernels(&g, 1);
            case_free(&g);
        }
}

/* The dense layer's three products at a small MLP's shapes, on all threads. */
TEST(gemm_dense_layer_forms_threaded) {
    const size_t batch = 70, in = 150, out = 100;
    gemm_case forward = case_make(0, 0, batch, out, in, 1);  /* Z = X·W */
    gemm_case d_input = case_make(0, 1, batch, in, out, 2);  /* dX = dZ·Wᵀ */
    gemm_case d_weight = case_make(1, 0, in, out, batch, 3); /* dW = Xᵀ·dZ */
    case_run_all_kernels(&forward, 0);
    case_run_all_kernels(&d_input, 0);
    case_run_all_kernels(&d_weight, 0);
    case_free(&forward);
    case_free(&d_input);
    case_free(&d_weight);
}

/* Runs a product on `threads` threads into a fresh copy of C0 (beta 1) and returns it. */
static float *run_threads(const gemm_case *g, dn_gemm_kernel kernel, int threads) {
    float *C = case_output(g, 1.0f);
    dni_gemm_with(kernel, threads, g->ta, g->tb, g->M, g->N, g->K, g->A, g->lda, g->B, g->ldb, 1.0f,
                  C, g->ldc);
    return C;
}

TEST(gemm_bit_identical_across_thread_counts) {
    /* Big enough that the driver uses several threads (≥ 2^19 multiply-adds each). The second
     * shape is tall and narrow: cheap to cut into rows, so the driver hands out several work
     * units per thread (gemm_blocked.c's dynamic schedule), which must not change a bit. */
    static const size_t sizes[][3] = {{203, 517, 300}, {6000, 40, 20}};
    for (int c = 0; c < 8; ++c) {
        int form = c % 4;
        const size_t *mnk = sizes[c / 4];
        gemm_case g = case_make(form & 1, form >> 1 & 1, mnk[0], mnk[1], mnk[2], 40 + (size_t)c);
        for (size_t kk = 0; kk < KERNEL_COUNT; ++kk) {
            if (!dni_gemm_kernel_available(all_kernels[kk])) continue;
            float *one = run_threads(&g, all_kernels[kk], 1);
            case_check(&g, one, 1.0f, dni_gemm_kernel_name(all_kernels[kk]));
            for (int threads = 2; threads <= 4; ++threads) {
                float *many = run_threads(&g, all_kernels[kk], threads);
                CHECK_MSG(memcmp(one, many, g.M * g.ldc * sizeof(float)) == 0,
                          "%s form %d, %zu×%zu×%zu: %d threads differ from 1",
                          dni_gemm_kernel_name(all_kernels[kk]), form, mnk[0], mnk[1], mnk[2],
                          threads);
                free(many);
            }
            free(one);
        }
        case_free(&g);
    }
}

TEST(gemm_stack_workspace_path_is_bit_identical) {
    const dn_gemm_impl *impls[] = {dni_gemm_impl_portable(), dni_gemm_impl_avx2(),
                                   dni_gemm_impl_avx512()};
    gemm_case g = case_make(0, 1, 45, 70, 600, 9);
    for (size_t kk = 0; kk < KERNEL_COUNT; ++kk) {
        const dn_gemm_impl *impl = impls[kk];
        if (impl == NULL || !dni_gemm_kernel_available(impl->kernel)) continue;
        /* The stack path's buffer holds one A and one B micro-panel of at most these sizes. */
        CHECK(impl->kc <= DN_GEMM_MAX_KC);
        CHECK(impl->mr + impl->nr <= DN_GEMM_MAX_TILE_SPAN);
        CHECK(impl->nc % impl->nr == 0);
        float *big = case_output(&g, 1.0f), *small = case_output(&g, 1.0f);
        dn_gemm_problem p = {0, 1, g.M, g.N, g.K, g.A, g.lda, g.B, g.ldb, 1.0f, big, g.ldc, NULL, NULL};
        dni_gemm_blocked(impl, 1, &p, NULL);
        p.C = small;
        dni_gemm_blocked_small(impl, &p);
        case_check(&g, small, 1.0f, dni_gemm_kernel_name(impl->kernel));
        CHECK(memcmp(big, small, g.M * g.ldc * sizeof(float)) == 0);
        free(big);
        free(small);
    }
    case_free(&g);
}

/* A caller's workspace full of NaN garbage (as after earlier products) changes nothing: every
 * panel is packed before it is read. Too small a workspace falls back to allocating. */
TEST(gemm_caller_workspace_gives_identical_results) {
    const int forms[3][2] = {{0, 0}, {0, 1}, {1, 0}};
    for (int f = 0; f < 3; ++f) {
        gemm_case g = case_make(forms[f][0], forms[f][1], 77, 130, 300, 11 + f);
        float *fresh = case_output(&g, 0.0f), *reused = case_output(&g, 0.0f);
        size_t floats = dni_gemm_workspace_floats(2);
        CHECK(floats > 0);
        dn_gemm_workspace ws = {aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64), floats};
        for (size_t i = 0; i < floats; ++i) ws.data[i] = NAN;
        dni_gemm(2, g.ta, g.tb, g.M, g.N, g.K, g.A, g.lda, g.B, g.ldb, 0.0f, fresh, g.ldc);
        dni_gemm_ws(&ws, 2, g.ta, g.tb, g.M, g.N, g.K, g.A, g.lda, g.B, g.ldb, 0.0f, reused, g.ldc);
        CHECK(memcmp(fresh, reused, g.M * g.ldc * sizeof(float)) == 0);
        dn_gemm_workspace tiny = {ws.data, 16};
        dni_gemm_ws(&tiny, 2, g.ta, g.tb, g.M, g.N, g.K, g.A, g.lda, g.B, g.ldb, 0.0f, reused,
                    g.ldc);
        CHECK(memcmp(fresh, reused, g.M * g.ldc * sizeof(float)) == 0);
        free(ws.data);
        free(fresh);
        free(reused);
        case_free(&g);
    }
}

TEST(gemm_empty_products) {
    float C[2 * 3] = {1, 2, 3, 4, 5, 6}, A[1] = {7}, B[1] = {8};
    /* K = 0: beta 1 keeps C, beta 0 clears it, beta 2 doubles it. */
    dni_gemm(1, 0, 0, 2, 3, 0, A, 1, B, 3, 1.0f, C, 3);
    CHECK(C[0] == 1.0f && C[5] == 6.0f);
    dni_gemm(1, 0, 0, 2, 3, 0, A, 1, B, 3, 2.0f, C, 3);
    CHECK(C[0] == 2.0f && C[5] == 12.0f);
    dni_gemm(1, 0, 0, 2, 3, 0, A, 1, B, 3, 0.0f, C, 3);
    CHECK(C[0] == 0.0f && C[5] == 0.0f);
    /* M = 0 or N = 0: nothing to write, C untouched. */
    C[0] = 9.0f;
    dni_gemm(1, 0, 0, 0, 3, 1, A, 1, B, 3, 0.0f, C, 3);
    dni_gemm(1, 0, 0, 2, 0, 1, A, 1, B, 3, 0.0f, C, 3);
    CHECK(C[0] == 9.0f);
}

TEST(gemm_kernel_dispatch_and_environment) {
    dn_gemm_kernel best = DN_GEMM_PORTABLE;
    if (dni_gemm_kernel_available(DN_GEMM_AVX2)) best = DN_GEMM_AVX2;
    if (dni_gemm_kernel_available(DN_GEMM_AVX512)) best = DN_GEMM_AVX512;
    CHECK(dni_gemm_kernel_available(DN_GEMM_PORTABLE));
    CHECK(strcmp(dni_gemm_kernel_name(DN_GEMM_AVX512), "avx512") == 0);
    CHECK(strcmp(dni_gemm_kernel_name((dn_gemm_kernel)99), "?") == 0);

    const char *saved = getenv("DROPNET_KERNEL");
    char *copy = saved ? strdup(saved) : NULL;
    unsetenv("DROPNET_KERNEL");
    CHECK(dni_gemm_kernel_resolve(DN_GEMM_AUTO) == best);
    CHECK(dni_gemm_kernel_resolve(DN_GEMM_PORTABLE) == DN_GEMM_PORTABLE);
    /* A kernel the CPU lacks becomes the best available one. */
    for (size_t kk = 0; kk < KERNEL_COUNT; ++kk)
        if (!dni_gemm_kernel_available(all_kernels[kk]))
            CHECK(dni_gemm_kernel_resolve(all_kernels[kk]) == best);
    setenv("DROPNET_KERNEL", "portable", 1);
    CHECK(dni_gemm_kernel_resolve(DN_GEMM_AUTO) == DN_GEMM_PORTABLE);
    /* An explicit request beats the environment. */
    CHECK(dni_gemm_kernel_resolve(best) == best);
    float a = 3.0f, b = 5.0f, c = 0.0f;
    CHECK(dni_gemm_with(DN_GEMM_AUTO, 1, 0, 0, 1, 1, 1, &a, 1, &b, 1, 0.0f, &c, 1) ==
          DN_GEMM_PORTABLE);
    CHECK(c == 15.0f);
    setenv("DROPNET_KERNEL", "avx2", 1);
    CHECK(dni_gemm_kernel_resolve(DN_GEMM_AUTO) ==
          (dni_gemm_kernel_available(DN_GEMM_AVX2) ? DN_GEMM_AVX2 : best));
    setenv("DROPNET_KERNEL", "sse9", 1);
    CHECK(dni_gemm_kernel_resolve(DN_GEMM_AUTO) == best);
    if (copy) setenv("DROPNET_KERNEL", copy, 1);
    else unsetenv("DROPNET_KERNEL");
    free(copy);
}

/* A last register tile of at most 8 rows runs only those rows' FMAs (the 8-row loops of
 * gemm_avx512.c and gemm_avx512_bf16.c):
 * each row's sums must be bitwise those the same rows get inside a full 12-row tile. A [M×K]
 * padded with rows of other values to the next multiple of 12 puts the same rows in a full tile;
 * every row of C depends on its own row of A only. All four forms, accumulate (beta 1, K in
 * two blocks) and overwrite, columns in whole and partial 32-wide panels. */
static void check_short_edge_tiles(dn_gemm_kernel kernel) {
    if (!dni_gemm_kernel_available(kernel)) return;
    const size_t rows[] = {1, 5, 8, 20, 128};
    const size_t N = 70, K = 300; /* 70: panels of 32, 32, 6; 300: two K blocks */
    uint64_t state = 0x9E3779B97F4A7C15ull;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; ++r)
        for (int form = 0; form < 4; ++form) {
            int ta = form & 1, tb = form >> 1;
            size_t M = rows[r], P = (M + 11) / 12 * 12 + 12; /* padded: the tail in full tiles */
            float *A = malloc(P * K * sizeof *A), *B = malloc(K * N * sizeof *B);
            float *c_short = malloc(M * N * sizeof *c_short), *c_full = malloc(P * N * sizeof *c_full);
            if (!A || !B || !c_short || !c_full) {
                free(A), free(B), free(c_short), free(c_full);
                return;
            }
            fill_uniform(A, P * K, &state);
            fill_uniform(B, K * N, &state);
            for (size_t i = 0; i < M * N; ++i) c_short[i] = (float)(i % 7) * 0.25f;
            for (size_t i = 0; i < P * N; ++i) c_full[i] = (float)((i % (M * N)) % 7) * 0.25f;
            float beta = form == 3 ? 0.0f : 1.0f;
            /* Aᵀ stored [K×M]: the short product reads the first M columns of the padded one. */
            size_t lda_short = ta ? P : K, lda_full = ta ? P : K;
            size_t ldb = tb ? K : N;
            /* op(B)[k][j] from B stored [K×N] (or its transpose [N×K], same floats reread). */
            dni_gemm_with(kernel, 1, ta, tb, M, N, K, A, lda_short, B, ldb, beta, c_short, N);
            dni_gemm_with(kernel, 1, ta, tb, P, N, K, A, lda_full, B, ldb, beta, c_full, N);
            CHECK_MSG(memcmp(c_short, c_full, M * N * sizeof *c_short) == 0,
                      "%s, M %zu, trans_a %d, trans_b %d: rows of a short edge tile differ from "
                      "the same rows in full tiles", dni_gemm_kernel_name(kernel), M, ta, tb);
            free(A), free(B), free(c_short), free(c_full);
        }
}

TEST(gemm_short_edge_tile_rows_match_full_tile_rows) {
    check_short_edge_tiles(DN_GEMM_AVX512);
    check_short_edge_tiles(DN_GEMM_AVX512_BF16);
}
