/* checksum.c — CRC-32 over tensors and metadata (see checksum.h for what is covered). */
#include "io/checksum.h"


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

uint32_t dni_checksum_bytes(uint32_t crc, const void *bytes, size_t n) {
    const unsigned char *p = bytes;
    while (n > 0) { /* zlib takes uInt lengths */
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return crc;
}

typedef struct entry {
    const char *key, *value;
} entry;

static int by_key(const void *a, const void *b) {
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

uint32_t dni_checksum_metadata(uint32_t crc, const char *const *keys, const char *const *values,
                               size_t n, int *ok) {
    entry *sorted = malloc((n ? n : 1) * sizeof *sorted);
    *ok = sorted != NULL;
    if (sorted == NULL) return crc;
    size_t count = 0;
    for (size_t i = 0; i < n; ++i)
        if (strcmp(keys[i], DN_CHECKSUM_KEY) != 0) sorted[count++] = (entry){keys[i], values[i]};
    qsort(sorted, count, sizeof *sorted, by_key);
    for (size_t i = 0; i < count; ++i) {
        crc = dni_checksum_bytes(crc, sorted[i].key, strlen(sorted[i].key) + 1);
        crc = dni_checksum_bytes(crc, sorted[i].value, strlen(sorted[i].value) + 1);
    }
    free(sorted);
    return crc;
}

void dni_checksum_text(char text[DN_CHECKSUM_TEXT_SIZE], uint32_t crc) {
    snprintf(text, DN_CHECKSUM_TEXT_SIZE, "%08lx", (unsigned long)crc);
}
