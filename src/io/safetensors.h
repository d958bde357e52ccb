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

/* Reading, the checksum and writing are declared in the headers named after their files
 * (scripts/check_layout.sh); these includes keep code that includes only safetensors.h for them
 * (tests, other branches) compiling. */
#include "io/safetensors_checksum.h"
#include "io/safetensors_read.h"
#include "io/safetensors_write.h"

#endif
