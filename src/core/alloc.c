/* alloc.c — aligned, zeroed, overflow-checked allocation. */
#include "core/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { DN_ALIGNMENT = 64 };

int dni_mul_size(size_t a, size_t b, size_t *out) {
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

void *dni_alloc_zeroed(size_t count, size_t size) {
    size_t bytes;
    if (!dni_mul_size(count, size, &bytes)) return NULL;
    if (bytes == 0) bytes = DN_ALIGNMENT;
    /* aligned_alloc needs a multiple of the alignment. */
    size_t rounded = (bytes + DN_ALIGNMENT - 1) / DN_ALIGNMENT * DN_ALIGNMENT;
    if (rounded < bytes) return NULL;
    void *ptr = aligned_alloc(DN_ALIGNMENT, rounded);
    if (ptr != NULL) memset(ptr, 0, rounded);
    return ptr;
}

void dni_free(void *ptr) { free(ptr); }
