/* safetensors_checksum.h — a safetensors file's CRC-32 (safetensors_checksum.c; internal). */
#ifndef DN_IO_SAFETENSORS_CHECKSUM_H
#define DN_IO_SAFETENSORS_CHECKSUM_H

#include "dropnet.h"
#include "io/safetensors.h"

#include <stddef.h>
#include <stdint.h>

/* The file's CRC-32 as io/checksum.h defines it: the data buffer, then the metadata entries
 * other than "dropnet.checksum", sorted by key. */
dn_status dni_st_checksum(dn_st_file *st, uint32_t *crc, dn_error *err);

#endif
