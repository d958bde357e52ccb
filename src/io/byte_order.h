/* byte_order.h — explicit little-endian encoding of integers and floats (internal).
 *
 * File formats fix their byte order; the host's does not matter. Going through shifts (not memcpy
 * of the host representation) makes the code correct on big-endian hosts too, and compilers turn
 * these into single loads and stores on little-endian ones. */
#ifndef DN_IO_BYTE_ORDER_H
#define DN_IO_BYTE_ORDER_H

#include <stdint.h>
#include <string.h>

static inline void dni_store_le32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static inline uint32_t dni_load_le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void dni_store_le64(unsigned char *p, uint64_t v) {
    dni_store_le32(p, (uint32_t)v);
    dni_store_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint64_t dni_load_le64(const unsigned char *p) {
    return (uint64_t)dni_load_le32(p) | (uint64_t)dni_load_le32(p + 4) << 32;
}

/* IEEE-754 binary32 bit patterns (float and uint32_t share the host's byte order). */
static inline uint32_t dni_float_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float dni_float_from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

#endif
