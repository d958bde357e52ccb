/* alloc.h — allocation with overflow-checked sizes (internal). */
#ifndef DN_CORE_ALLOC_H
#define DN_CORE_ALLOC_H

#include <stddef.h>

/* *out = a·b; returns 0 when the product would overflow size_t. */
int dni_mul_size(size_t a, size_t b, size_t *out);

/* Zeroed array of `count` elements of `size` bytes, 64-byte aligned (for SIMD kernels), or NULL
 * on overflow or exhaustion. Release with dni_free. */
void *dni_alloc_zeroed(size_t count, size_t size);
void dni_free(void *ptr);

#endif
