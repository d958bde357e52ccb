/* checksum.h — the CRC-32 (zlib) that guards a saved model or checkpoint (internal).
 *
 * It covers the data buffer (every tensor's little-endian bytes, in file order) and then every
 * metadata entry except "dropnet.checksum" itself, sorted by key, each as key NUL value NUL.
 * Sorting makes it independent of the order a JSON writer puts the keys in. The tensor table is
 * not covered: its offsets and shapes are validated exactly against the stored architecture. */
#ifndef DN_IO_CHECKSUM_H
#define DN_IO_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#define DN_CHECKSUM_KEY "dropnet.checksum"
enum { DN_CHECKSUM_TEXT_SIZE = 9 }; /* 8 lowercase hex digits and NUL */

/* Continues `crc` over raw bytes (start with 0); tensors go in as stored (dni_st_output_checksum:
 * little-endian F32 or BF16). */
uint32_t dni_checksum_bytes(uint32_t crc, const void *bytes, size_t n);

/* Continues `crc` over the metadata entries (keys[i] → values[i]) sorted by key, skipping the
 * checksum key. Returns 0 in *ok when out of memory (for the sort). */
uint32_t dni_checksum_metadata(uint32_t crc, const char *const *keys, const char *const *values,
                               size_t n, int *ok);

void dni_checksum_text(char text[DN_CHECKSUM_TEXT_SIZE], uint32_t crc);

#endif
