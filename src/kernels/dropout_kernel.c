/* dropout_kernel.c — dropout masks from Philox4x32-10, 16 blocks at a time with AVX-512, fused
 * with the scaling; the portable path computes the very same bits. */
#include "kernels/dropout_kernel.h"
#include "core/fpu.h"

#include "core/threads.h"
#include "kernels/cpu.h"

#include <string.h>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define DN_HAVE_X86 1
#else
#define DN_HAVE_X86 0
#endif

/* Parallelism only pays beyond this many elements (a 32×20 demo batch stays on one thread). */
enum { PARALLEL_MIN_ELEMENTS = 1 << 15 };

/* Chunk c: elements [64c, min(64c+64, n)); words from blocks 16c … 16c+15. */
static void chunk_portable(const dn_rng_stream *s, uint64_t step, uint32_t threshold, float scale,
                           const float *x, float *y, uint32_t *bits, size_t n, size_t c) {
    size_t begin = c * DN_DROPOUT_CHUNK, end = begin + DN_DROPOUT_CHUNK < n ? begin + DN_DROPOUT_CHUNK : n;
    uint32_t words[DN_DROPOUT_CHUNK];
    for (size_t b = 0; b * 4 < end - begin; ++b) dni_rng_block(s, step, begin / 4 + b,
                                                               words + 4 * b);
    uint64_t mask = 0;
    for (size_t e = begin; e < end; ++e) {
        uint64_t kept = words[e - begin] >= threshold;
        mask |= kept << (e - begin);
        y[e] = kept ? x[e] * scale : 0.0f;
    }
    bits[2 * c] = (uint32_t)mask;
    if (end - begin > 32) bits[2 * c + 1] = (uint32_t)(mask >> 32);
}

#if DN_HAVE_X86
/* hi, lo = the 32×32→64-bit products a·m, lane by lane (mul_epu32 multiplies even lanes only). */
__attribute__((target("avx512f"))) static inline void mulhilo16(__m512i a, __m512i m, __m512i *hi,
                                                                 __m512i *lo) {
    __m512i even = _mm512_mul_epu32(a, m);
    __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
    *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
    *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
}

/* Philox4x32-10 on 16 consecutive blocks; lane j of words[w] = word w of block first + j.
 * Inlined, so the words stay in registers. */
__attribute__((target("avx512f"), always_inline)) static inline void
philox16(const dn_rng_stream *s, uint64_t step, uint64_t first, __m512i words[4]) {
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i m0 = _mm512_set1_epi32((int)0xD2511F53u), m1 = _mm512_set1_epi32((int)0xCD9E8D57u);
    __m512i c0 = _mm512_add_epi32(_mm512_set1_epi32((int)(uint32_t)first), lanes);
    __m512i c1 = _mm512_set1_epi32((int)s->stream);
    __m512i c2 = _mm512_set1_epi32((int)(uint32_t)step);
    __m512i c3 = _mm512_set1_epi32((int)(uint32_t)(step >> 32));
    uint32_t k0 = s->key[0], k1 = s->key[1];
    for (int round = 0; round < 10; ++round) {
        __m512i hi0, lo0, hi1, lo1;
        mulhilo16(c0, m0, &hi0, &lo0);
        mulhilo16(c2, m1, &hi1, &lo1);
        c0 = _mm512_xor_si512(_mm512_xor_si512(hi1, c1), _mm512_set1_epi32((int)k0));
        c2 = _mm512_xor_si512(_mm512_xor_si512(hi0, c3), _mm512_set1_epi32((int)k1));
        c1 = lo1;
        c3 = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    words[0] = c0;
    words[1] = c1;
    words[2] = c2;
    words[3] = c3;
}

/* Bit j of the 16-bit `keep` moved to bit 4j (the others zero). */
static uint64_t spread4(uint64_t keep) {
    uint64_t x = keep & 0xFFFFu;
    x = (x ^ (x << 24)) & 0x000000FF000000FFu;
    x = (x ^ (x << 12)) & 0x000F000F000F000Fu;
    x = (x ^ (x << 6)) & 0x0303030303030303u;
    return (x ^ (x << 3)) & 0x1111111111111111u;
}

/* A full chunk of 64 elements: one compare per Philox word (word w of block j is element
 * 4j + w), the four masks interleaved into element order in registers, then masked scaling.
 * (Reordering the words through memory first cost 64 scalar moves and a stalled reload per
 * chunk.) */
__attribute__((target("avx512f"))) static void chunk_avx512(const dn_rng_stream *s, uint64_t step,
                                                            uint32_t threshold, float scale,
                                                            const float *x, float *y,
                                                            uint32_t *bits, size_t c) {
    __m512i soa[4];
    philox16(s, step, (uint64_t)c * 16 + s->element_base / 4, soa);
    const __m512i t = _mm512_set1_epi32((int)threshold);
    const __m512 sc = _mm512_set1_ps(scale);
    const float *xc = x + c * DN_DROPOUT_CHUNK;
    float *yc = y + c * DN_DROPOUT_CHUNK;
    uint64_t mask = 0;
    for (int w = 0; w < 4; ++w)
        mask |= spread4(_mm512_cmpge_epu32_mask(soa[w], t)) << w;
    for (int q = 0; q < 4; ++q) {
        __mmask16 keep = (__mmask16)(mask >> (16 * q));
        _mm512_storeu_ps(yc + 16 * q, _mm512_maskz_mul_ps(keep, _mm512_loadu_ps(xc + 16 * q), sc));
    }
    bits[2 * c] = (uint32_t)mask;
    bits[2 * c + 1] = (uint32_t)(mask >> 32);
}

__attribute__((target("avx512f"))) static void backward_avx512(const uint32_t *bits, float scale,
                                                               const float *dy, float *dx,
                                                               size_t begin, size_t end) {
    const __m512 sc = _mm512_set1_ps(scale);
    for (size_t e = begin; e < end; e += 16) {
        __mmask16 keep = (__mmask16)(bits[e >> 5] >> (e & 31u));
        _mm512_storeu_ps(dx + e, _mm512_maskz_mul_ps(keep, _mm512_loadu_ps(dy + e), sc));
    }
}
#endif

/* Whether the AVX-512 path can take the n-element array: the CPU has it and every block number
 * (after the stream's element base) fits one counter word. */
static int vector_ok(const dn_rng_stream *s, size_t n) {
    size_t chunks = (n + DN_DROPOUT_CHUNK - 1) / DN_DROPOUT_CHUNK;
    return DN_HAVE_X86 && dni_cpu_has_avx512f() &&
           s->element_base / 4 + (uint64_t)chunks * 16 <= 0xFFFFFFFFu;
}

/* Chunk c by the fastest path that gives the shared bits: vector for whole chunks. */
static void chunk(const dn_rng_stream *s, uint64_t step, uint32_t threshold, float scale,
                  const float *x, float *y, uint32_t *bits, size_t n, size_t c, int vector) {
#if DN_HAVE_X86
    if (vector && (c + 1) * DN_DROPOUT_CHUNK <= n) {
        chunk_avx512(s, step, threshold, scale, x, y, bits, c);
        return;
    }
#endif
    (void)vector;
    chunk_portable(s, step, threshold, scale, x, y, bits, n, c);
}

void dni_dropout_mask_chunks(const dn_rng_stream *stream, uint64_t step, uint32_t threshold,
                             float scale, const float *x, float *y, uint32_t *keep_bits, size_t n,
                             size_t c_begin, size_t c_end) {
    int vector = vector_ok(stream, n);
    for (size_t c = c_begin; c < c_end; ++c)
        chunk(stream, step, threshold, scale, x, y, keep_bits, n, c, vector);
}

void dni_dropout_mask_apply(const dn_rng_stream *stream, uint64_t step, uint32_t threshold,
                            float scale, const float *x, float *y, uint32_t *keep_bits, size_t n,
                            int threads) {
    size_t chunks = (n + DN_DROPOUT_CHUNK - 1) / DN_DROPOUT_CHUNK;
    int vector = vector_ok(stream, n);
    int team = dni_threads_for(threads, n, PARALLEL_MIN_ELEMENTS);
    (void)team; /* unused in a build without OpenMP */
#pragma omp parallel num_threads(team)
    {
        unsigned fpu = dni_fpu_enter(); /* once per thread, not per chunk: core/fpu.h */
#pragma omp for schedule(static)
        for (size_t c = 0; c < chunks; ++c)
            chunk(stream, step, threshold, scale, x, y, keep_bits, n, c, vector);
        dni_fpu_leave(fpu);
    }
}

void dni_dropout_mask_backward(const uint32_t *keep_bits, float scale, const float *dy, float *dx,
                               size_t n, int threads) {
    size_t chunks = (n + DN_DROPOUT_CHUNK - 1) / DN_DROPOUT_CHUNK, full = n / DN_DROPOUT_CHUNK;
    int vector = DN_HAVE_X86 && dni_cpu_has_avx512f();
    int team = dni_threads_for(threads, n, PARALLEL_MIN_ELEMENTS);
    (void)team; /* unused in a build without OpenMP */
#pragma omp parallel num_threads(team)
    {
        unsigned fpu = dni_fpu_enter(); /* once per thread: core/fpu.h */
#pragma omp for schedule(static)
        for (size_t c = 0; c < chunks; ++c) {
            size_t begin = c * DN_DROPOUT_CHUNK;
            size_t end = begin + DN_DROPOUT_CHUNK < n ? begin + DN_DROPOUT_CHUNK : n;
#if DN_HAVE_X86
            if (vector && c < full)
                backward_avx512(keep_bits, scale, dy, dx, begin, end);
            else
#endif
                for (size_t e = begin; e < end; ++e)
                    dx[e] = (keep_bits[e >> 5] >> (e & 31u)) & 1u ? dy[e] * scale : 0.0f;
        }
        dni_fpu_leave(fpu);
    }
    (void)full;
    (void)vector;
}
