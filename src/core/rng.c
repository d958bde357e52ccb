/* rng.c — Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC'11) and the addressed draws on it. */
#include "core/rng.h"
#include "dropnet.h"

#include <math.h>

enum {
    PHILOX_M0 = 0xD2511F53u,
    PHILOX_M1 = 0xCD9E8D57u,
    PHILOX_W0 = 0x9E3779B9u,
    PHILOX_W1 = 0xBB67AE85u
};

static void mulhilo32(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo) {
    uint64_t product = (uint64_t)a * (uint64_t)b;
    *hi = (uint32_t)(product >> 32);
    *lo = (uint32_t)product;
}

void dn_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]) {
    if (counter == NULL || key == NULL || out == NULL) return;
    uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; ++round) {
        uint32_t hi0, lo0, hi1, lo1;
        mulhilo32(PHILOX_M0, c0, &hi0, &lo0);
        mulhilo32(PHILOX_M1, c2, &hi1, &lo1);
        uint32_t n0 = hi1 ^ c1 ^ k0;
        uint32_t n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

dn_rng_stream dni_rng_stream_make(uint64_t seed, dn_rng_purpose purpose, uint32_t layer) {
    dn_rng_stream s;
    s.key[0] = (uint32_t)seed;
    s.key[1] = (uint32_t)(seed >> 32);
    s.stream = ((uint32_t)purpose << 16) | (layer & 0xFFFFu);
    s.element_base = 0;
    return s;
}

/* Block `block` counted from element 0, whatever the stream's element_base. */
static void block_absolute(const dn_rng_stream *s, uint64_t step, uint64_t block, uint32_t out[4]) {
    /* The block index takes counter word 0. Its high bits (only for more than 16 G elements in
     * one step) go to the stream word's top byte, which purposes and layers leave at zero. */
    uint32_t counter[4] = {(uint32_t)block, s->stream ^ ((uint32_t)(block >> 32) << 24),
                           (uint32_t)step, (uint32_t)(step >> 32)};
    dn_philox4x32_10(counter, s->key, out);
}

void dni_rng_block(const dn_rng_stream *s, uint64_t step, uint64_t block, uint32_t out[4]) {
    block_absolute(s, step, block + s->element_base / 4, out);
}

uint32_t dni_rng_u32(const dn_rng_stream *s, uint64_t step, uint64_t element) {
    uint32_t words[4];
    element += s->element_base;
    block_absolute(s, step, element / 4, words);
    return words[element % 4];
}

float dni_rng_uniform(const dn_rng_stream *s, uint64_t step, uint64_t element) {
    return (float)(dni_rng_u32(s, step, element) >> 8) * (1.0f / 16777216.0f);
}

double dni_rng_normal(const dn_rng_stream *s, uint64_t step, uint64_t index) {
    uint32_t words[4];
    index += s->element_base; /* normal i is the i-th element's draw, so the base counts the same */
    block_absolute(s, step, index / 2, words);
    const uint32_t *pair = words + 2 * (index % 2);
    /* (w + 1) / 2^32 lies in (0, 1], so the logarithm is finite. */
    double u1 = ((double)pair[0] + 1.0) / 4294967296.0;
    double u2 = (double)pair[1] / 4294967296.0;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint32_t dni_rng_drop_threshold(float rate) {
    double t = (double)rate * 4294967296.0 + 0.5;
    if (t <= 0.0) return 0;
    if (t >= 4294967295.0) return 0xFFFFFFFFu;
    return (uint32_t)t;
}
