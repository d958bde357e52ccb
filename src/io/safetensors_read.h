/* safetensors_read.h — opening, validating and reading a safetensors file (internal). */
#ifndef DN_IO_SAFETENSORS_READ_H
#define DN_IO_SAFETENSORS_READ_H

#include "dropnet.h"
#include "io/safetensors.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Opens `path` and validates the container: size, header length (≤ file size − 8 and
 * ≤ DN_ST_MAX_HEADER), UTF-8, a JSON object, every entry's dtype/shape/data_offsets, offsets inside
 * the buffer with end − begin = element size · Π shape, no duplicate names, no overlaps, no
 * unclaimed bytes, string-valued metadata. Tensor data is not read. On failure *st holds nothing
 * to close. Messages start with the path.
 */
dn_status dni_st_open(dn_st_file *st, const char *path, dn_error *err);

/* Releases an opened file (a zeroed struct is fine too). */
void dni_st_close(dn_st_file *st);

/* The tensor called `name`, or NULL. */
const dn_st_tensor *dni_st_find(const dn_st_file *st, const char *name);

/* The metadata string for `key`, or NULL. */
const char *dni_st_metadata(const dn_st_file *st, const char *key);

/* Writes a shape as "[3, 4]" (truncated to fit `size`). */
void dni_st_shape_text(char *buf, size_t size, const uint64_t *shape, size_t rank);

/* Reads an F32 or BF16 tensor's data into `out` [Π shape] (host floats; a BF16 value widens
 * exactly); DN_ERR_FORMAT for another dtype. */
dn_status dni_st_read_f32(dn_st_file *st, const dn_st_tensor *tensor, float *out, dn_error *err);

#endif
