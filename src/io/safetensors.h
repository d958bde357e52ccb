/* safetensors.h — the safetensors container (internal): reading with full validation, writing
 * F32 tensors. See https://github.com/huggingface/safetensors and docs/FORMAT.md:
 *   8 bytes   N, the header length, unsigned little-endian
 *   N bytes   a UTF-8 JSON object: "name": {"dtype", "shape", "data_offsets": [begin, end]} per
 *             tensor, offsets relative to the data buffer; optional "__metadata__" {str: str}
 *   the rest  the data buffer, every byte belonging to exactly one tensor
 * Nothing here knows what the tensors mean; io/model_save.c and io/model_load.c do. */
#ifndef DN_IO_SAFETENSORS_H
#define DN_IO_SAFETENSORS_H

#include "dropnet.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

enum {
    DN_ST_MAX_RANK = 8,          /* more dimensions than any file of ours has */
    DN_ST_MAX_HEADER = 100000000 /* bytes, the reference implementation's limit */
};

typedef struct dn_st_tensor {
    const char *name;  /* both point into the parsed header, valid while the file is open */
    const char *dtype; /* "F32", "F16", ... (any dtype of the format) */
    size_t rank;
    uint64_t shape[DN_ST_MAX_RANK];
    uint64_t begin, end; /* [begin, end) in the data buffer */
} dn_st_tensor;

/* An open, validated file. Tensors are sorted by name. */
typedef struct dn_st_file {
    FILE *file;
    const char *path; /* the caller's string, for messages */
    uint64_t file_size, header_size;
    uint64_t buffer_offset, buffer_size; /* the data buffer: 8 + header_size, and its length */
    cJSON *header;
    const cJSON *metadata; /* the "__metadata__" object (string values only) or NULL */
    dn_st_tensor *tensors;
    size_t tensor_count;
} dn_st_file;

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

/* Reads an F32 tensor's data into `out` [Π shape] (host floats). */
dn_status dni_st_read_f32(dn_st_file *st, const dn_st_tensor *tensor, float *out, dn_error *err);

/* The file's CRC-32 as io/checksum.h defines it: the data buffer, then the metadata entries
 * other than "dropnet.checksum", sorted by key. */
dn_status dni_st_checksum(dn_st_file *st, uint32_t *crc, dn_error *err);

/* One F32 tensor to write: data [Π shape] host floats, stored little-endian. */
typedef struct dn_st_output {
    const char *name;
    size_t rank;
    size_t shape[DN_ST_MAX_RANK];
    const float *data;
} dn_st_output;

/*
 * Writes the tensors, laid out contiguously in the given order, and the metadata
 * (keys[i] → values[i], all UTF-8) atomically to `path` (see dn_write_file_atomic). The header is
 * "__metadata__" first, then the tensors in order, padded with spaces to a multiple of 8 bytes.
 */
dn_status dni_st_save_f32(const char *path, const dn_st_output *tensors, size_t count,
                          const char *const *keys, const char *const *values, size_t meta_count,
                          dn_error *err);

#endif
