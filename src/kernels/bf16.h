/* bf16.h — bfloat16 conversion and the exact arithmetic of one VDPBF16PS step, in portable C
 * (internal).
 *
 * bf16 is the top half of an fp32: 8 exponent bits, 7 stored mantissa bits. Every dropnet bf16
 * kernel rounds its fp32 operands the way VCVTNE2PS2BF16 does — round to nearest even, input
 * denormals read as zero, NaN kept a (quiet) NaN — and multiplies them the way VDPBF16PS does,
 * so the portable code here and the AVX512_BF16 instructions give the same bits. */
#ifndef DN_KERNELS_BF16_H
#define DN_KERNELS_BF16_H

#include <stdint.h>
#include <string.h>

/* fp32 → bf16 bits: round to nearest even; a denormal becomes a zero of its sign; a NaN stays a
 * NaN (its quiet bit set); values past the bf16 range round to ±inf. */
static inline uint16_t dni_bf16_from_float(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7F800000u) == 0) return (uint16_t)((u >> 16) & 0x8000u); /* zero, denormal */
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x0040u); /* NaN */
    u += 0x7FFFu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

/* bf16 bits → the fp32 they stand for (exact). */
static inline float dni_bf16_to_float(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* x rounded to bf16 and back: the value a bf16 product sees for the fp32 operand x. */
static inline float dni_bf16_round(float x) { return dni_bf16_to_float(dni_bf16_from_float(x)); }

/* A denormal result flushed to a zero of its sign (VDPBF16PS flushes whatever MXCSR says). */
static inline float dni_bf16_flush(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7F800000u) == 0) u &= 0x80000000u;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* One lane of VDPBF16PS: acc + a_hi·b_hi, rounded, then + a_lo·b_lo, rounded, where a pair
 * holds element 2i in its low half and 2i+1 in its high half. The products of two bf16 values
 * are exact in fp32 (8 × 8 significant bits) unless they underflow, which flushes to zero. */
static inline float dni_bf16_dot_step(float acc, uint32_t a_pair, uint32_t b_pair) {
    float hi = dni_bf16_flush(dni_bf16_to_float((uint16_t)(a_pair >> 16)) *
                              dni_bf16_to_float((uint16_t)(b_pair >> 16)));
    float lo = dni_bf16_flush(dni_bf16_to_float((uint16_t)a_pair) *
                              dni_bf16_to_float((uint16_t)b_pair));
    acc = dni_bf16_flush(acc + hi);
    return dni_bf16_flush(acc + lo);
}

#endif
