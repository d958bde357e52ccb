/* gemm_packed_part.c — one part of a matrix written into its packed panels in place
 * (gemm_packed_part.h). */
#include "kernels/gemm_packed_part.h"
#include "kernels/bf16.h"
#include "kernels/gemm.h"
#include "kernels/gemm_avx512.h"
#include "kernels/gemm_avx512_bf16.h"
#include "kernels/gemm_blocked.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_packed.h"

#include <stdint.h>

static size_t dn_min(size_t a, size_t b) { return a < b ? a : b; }

/* The K block [*k0, *k0 + *kc) of a K-long dimension cut as the driver cuts it that holds k. */
static void dn_k_block_of(const dn_gemm_impl *impl, size_t K, size_t k, size_t *k0, size_t *kc) {
    size_t kc_max = dni_gemm_k_block(K, impl->kc);
    *k0 = k / kc_max * kc_max;
    *kc = dn_min(kc_max, K - *k0);
}

void dni_gemm_pack_b_part(const dn_gemm_impl *impl, size_t K, size_t N, const float *w, size_t ldw,
                          size_t i0, size_t m, size_t j0, size_t n, float *packed) {
    dn_gemm_problem p = {0, 0, 0, N, K, NULL, 0, w, ldw, 0.0f, NULL, 0, NULL, NULL};
    const size_t nr = impl->nr;
    for (size_t i = i0; i < i0 + m;) {
        size_t k0, kc;
        dn_k_block_of(impl, K, i, &k0, &kc);
        /* Rows [i, i+rows) of this K block are rows i−k0.. of each of its panels: the family's
         * own pack_b writes them there as it would inside the whole block (a pair row holds two
         * k, and the part's rows start at an even k of the block). */
        size_t rows = dn_min(k0 + kc, i0 + m) - i;
        size_t at = impl->packs_pairs ? (i - k0) / 2 * nr : (i - k0) * nr;
        for (size_t j = j0; j < j0 + n; j += nr)
            impl->pack_b(&p, i, rows, j, dn_min(nr, j0 + n - j), nr,
                         packed + dni_gemm_packed_offset(impl, N, k0, kc, j) + at);
        i += rows;
    }
}

/* The panel's words for W rows [i, i + width) × columns [j, j + count) (one K block of Wᵀ, one
 * panel of it, width ≤ nr), fp32: out[(k)·nr + r] = w[(i + r)·ldw + j + k]. */
static void dn_transposed_floats(const dn_gemm_impl *impl, const float *w, size_t ldw, size_t i,
                                 size_t width, size_t j, size_t count, float *out) {
    const size_t nr = impl->nr;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    if (impl->kernel == DN_GEMM_AVX512) { /* 16×16 register transposes (gemm_avx512.c) */
        for (size_t r = 0; r < width; r += 16) {
            size_t rows = dn_min(16, width - r);
            dni_gemm_avx512_pack_transposed(w + (i + r) * ldw + j, ldw, rows, count, out + r, nr,
                                            rows);
        }
        return;
    }
#endif
    for (size_t k = 0; k < count; ++k)
        for (size_t r = 0; r < width; ++r) out[k * nr + r] = w[(i + r) * ldw + j + k];
}

/* As dn_transposed_floats for bf16 pairs: word (q, r) holds w[i+r][j+2q] low and
 * w[i+r][j+2q+1] high (zero when j+2q+1 = `end`, the end of the K block). */
static void dn_transposed_pairs(const dn_gemm_impl *impl, const float *w, size_t ldw, size_t i,
                                size_t width, size_t j, size_t count, size_t end, float *out) {
    uint32_t *words = (uint32_t *)(void *)out;
    const size_t nr = impl->nr;
    if (impl->kernel == DN_GEMM_AVX512_BF16) { /* converted and transposed in registers */
        for (size_t r = 0; r < width; r += 16) {
            size_t rows = dn_min(16, width - r);
            dni_gemm_avx512_bf16_pack_rows(w + (i + r) * ldw + j, ldw, rows, count, words + r, nr,
                                           rows);
        }
        return;
    }
    for (size_t q = 0; 2 * q < count; ++q) {
        size_t k = j + 2 * q;
        int has_hi = k + 1 < end;
        for (size_t r = 0; r < width; ++r) {
            const float *row = w + (i + r) * ldw;
            words[q * nr + r] = (uint32_t)dni_bf16_from_float(row[k]) |
                                (uint32_t)dni_bf16_from_float(has_hi ? row[k + 1] : 0.0f) << 16;
        }
    }
}

void dni_gemm_pack_bt_part(const dn_gemm_impl *impl, size_t K, size_t N, const float *w,
                           size_t ldw, size_t i0, size_t m, size_t j0, size_t n, float *packed) {
    /* Wᵀ is [N×K]: its k runs over W's columns j, its columns over W's rows i. */
    const size_t nr = impl->nr;
    for (size_t j = j0; j < j0 + n;) {
        size_t k0, kc;
        dn_k_block_of(impl, N, j, &k0, &kc);
        size_t count = dn_min(k0 + kc, j0 + n) - j;
        size_t at = impl->packs_pairs ? (j - k0) / 2 * nr : (j - k0) * nr;
        for (size_t i = i0; i < i0 + m;) {
            size_t c0 = i / nr * nr, width = dn_min(c0 + nr, i0 + m) - i;
            float *out = packed + dni_gemm_packed_offset(impl, K, k0, kc, c0) + at + (i - c0);
            if (impl->packs_pairs)
                dn_transposed_pairs(impl, w, ldw, i, width, j, count, k0 + kc, out);
            else
                dn_transposed_floats(impl, w, ldw, i, width, j, count, out);
            i += width;
        }
        j += count;
    }
}

size_t dni_gemm_packed_floats_any(size_t K, size_t N) {
    const dn_gemm_kernel all[] = {DN_GEMM_PORTABLE, DN_GEMM_AVX2, DN_GEMM_AVX512, DN_GEMM_BF16,
                                  DN_GEMM_AVX512_BF16};
    size_t most = 0;
    for (size_t f = 0; f < sizeof all / sizeof all[0]; ++f) {
        if (!dni_gemm_kernel_available(all[f])) continue;
        const dn_gemm_impl *impl = dni_gemm_impl_of(all[f]);
        size_t a = dni_gemm_packed_floats(impl, K, N), b = dni_gemm_packed_floats(impl, N, K);
        most = a > most ? a : most;
        most = b > most ? b : most;
    }
    return most;
}
