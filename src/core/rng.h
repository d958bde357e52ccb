/* rng.h — the draws dropnet makes from Philox4x32-10 (internal).
 *
 * Every draw is addressed, not sequential: (seed, purpose, layer, step, element) → 32 bits.
 * That is what makes results independent of thread count and batch partition. */
#ifndef DN_CORE_RNG_H
#define DN_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

/* What a draw is for; each purpose is its own stream so they never share counters. */
typedef enum dn_rng_purpose {
    DN_RNG_INIT = 1,     /* weight initialisation: step 0, element = index in the kernel
                            (truncated normals: step = redraw attempt, index = kernel index) */
    DN_RNG_SHUFFLE = 2,  /* epoch permutation: step = epoch index */
    DN_RNG_DROPOUT = 3,  /* dropout masks: step = training step, element = index in the batch */
    DN_RNG_DATA = 4,     /* synthetic data generation */
    /* The dropout family (docs/DROPOUT_FAMILY.md); numbered apart from the core purposes. */
    DN_RNG_NOISE = 16,       /* gaussian dropout / noise: step = training step, normal index =
                                element in the batch */
    DN_RNG_DROPCONNECT = 17  /* DropConnect kernel masks: step = training step, element = index
                                in the kernel */
} dn_rng_purpose;

/* A stream: everything but the element index and the step. `element_base` (0 unless set) is
 * added to every element index a draw is asked for: a pass over rows [r, r + rows) of a batch
 * sets it to r·width, so the rows draw what they would in the whole batch (fit's reproducible
 * mode runs a batch as blocks of rows). Must be a multiple of 4 (whole Philox blocks). */
typedef struct dn_rng_stream {
    uint32_t key[2];
    uint32_t stream; /* purpose << 16 | layer */
    uint64_t element_base;
} dn_rng_stream;

dn_rng_stream dni_rng_stream_make(uint64_t seed, dn_rng_purpose purpose, uint32_t layer);

/* The four 32-bit words of block `block` (elements 4·block … 4·block+3, after element_base) at
 * `step`. */
void dni_rng_block(const dn_rng_stream *s, uint64_t step, uint64_t block, uint32_t out[4]);

/* The 32-bit word for one element. */
uint32_t dni_rng_u32(const dn_rng_stream *s, uint64_t step, uint64_t element);

/* Uniform in [0, 1) with 24 bits of resolution, from one element's word. */
float dni_rng_uniform(const dn_rng_stream *s, uint64_t step, uint64_t element);

/* Standard normal (Box-Muller over elements 2·i and 2·i+1, using 32-bit uniforms in (0, 1]). */
double dni_rng_normal(const dn_rng_stream *s, uint64_t step, uint64_t index);

/* Dropped ⇔ word < threshold; threshold = round(rate·2^32), so P(drop) = rate to 2^-32. */
uint32_t dni_rng_drop_threshold(float rate);

#endif
