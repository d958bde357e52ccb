/* safetensors_checksum.c — the checksum of an open file, computed as io/checksum.h defines it. */
#include "io/safetensors_checksum.h"
#include "io/checksum.h"
#include "io/safetensors.h"

#include "core/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static dn_status checksum_buffer(dn_st_file *st, uint32_t *crc, dn_error *err) {
    uint64_t pos = st->buffer_offset;
    if (pos > (uint64_t)INT64_MAX || (uint64_t)(off_t)pos != pos ||
        fseeko(st->file, (off_t)pos, SEEK_SET) != 0)
        return dni_fail(err, DN_ERR_IO, "%s: cannot seek to the data buffer: %s", st->path,
                        strerror(errno));
    unsigned char chunk[65536];
    for (uint64_t done = 0; done < st->buffer_size;) {
        size_t n = st->buffer_size - done < sizeof chunk ? (size_t)(st->buffer_size - done)
                                                         : sizeof chunk;
        if (fread(chunk, 1, n, st->file) != n)
            return dni_fail(err, DN_ERR_IO, "%s: cannot read the data buffer: %s", st->path,
                            feof(st->file) ? "unexpected end of file" : strerror(errno));
        *crc = dni_checksum_bytes(*crc, chunk, n);
        done += n;
    }
    return DN_OK;
}

dn_status dni_st_checksum(dn_st_file *st, uint32_t *out, dn_error *err) {
    uint32_t crc = 0;
    dn_status status = checksum_buffer(st, &crc, err);
    if (status != DN_OK) return status;
    size_t n = 0;
    const cJSON *kv;
    for (kv = st->metadata ? st->metadata->child : NULL; kv != NULL; kv = kv->next) n++;
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    const char **values = malloc((n ? n : 1) * sizeof *values);
    int ok = keys != NULL && values != NULL;
    if (ok) {
        size_t i = 0;
        for (kv = st->metadata ? st->metadata->child : NULL; kv != NULL; kv = kv->next, ++i) {
            keys[i] = kv->string;
            values[i] = kv->valuestring;
        }
        crc = dni_checksum_metadata(crc, keys, values, n, &ok);
    }
    free(keys);
    free(values);
    if (!ok) return dni_fail(err, DN_ERR_MEMORY, "%s: out of memory for the checksum", st->path);
    *out = crc;
    return DN_OK;
}
