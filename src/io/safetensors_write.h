/* safetensors_write.h — F32 and BF16 tensors written as a safetensors file (safetensors_write.c; internal). */
#ifndef DN_IO_SAFETENSORS_WRITE_H
#define DN_IO_SAFETENSORS_WRITE_H

#include "dropnet.h"
#include "io/safetensors.h"

#include <stddef.h>
#include <stdint.h>

/* One tensor to write: data [Π shape] host floats, stored little-endian as F32, or (bf16 != 0)
 * as BF16: each float rounded to bfloat16 as the bf16 products round it (kernels/bf16.h:
 * nearest even, denormals to zero), half the bytes. */
typedef struct dn_st_output {
    const char *name;
    size_t rank;
    size_t shape[DN_ST_MAX_RANK];
    const float *data;
    int bf16;
} dn_st_output;

/* Continues `crc` (io/checksum.h) over the bytes the tensor is stored as, F32 or BF16. */
uint32_t dni_st_output_checksum(uint32_t crc, const dn_st_output *t);

/*
 * Writes the tensors, laid out contiguously in the given order, and the metadata
 * (keys[i] → values[i], all UTF-8) atomically to `path` (see dn_write_file_atomic). The header is
 * "__metadata__" first, then the tensors in order, padded with spaces to a multiple of 8 bytes.
 */
dn_status dni_st_save_f32(const char *path, const dn_st_output *tensors, size_t count,
                          const char *const *keys, const char *const *values, size_t meta_count,
                          dn_error *err);

#endif
