/* safetensors_write.c — writing F32 or BF16 tensors and string metadata as a safetensors file. */
#include "io/safetensors_write.h"
#include "io/safetensors.h"

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/byte_order.h"
#include "io/checksum.h"
#include "kernels/bf16.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* What the write callback needs: the padded header and the tensors in file order. */
typedef struct write_job {
    const char *path;
    const char *header;
    size_t header_len, padded_len;
    const dn_st_output *tensors;
    size_t count;
} write_job;

/* Adds `item` to `object`, taking ownership; 0 (item released) on failure. */
static int add_item(cJSON *object, const char *name, cJSON *item) {
    if (item == NULL) return 0;
    if (!cJSON_AddItemToObject(object, name, item)) {
        cJSON_Delete(item);
        return 0;
    }
    return 1;
}

/* A JSON array of integers written as exact decimal text (cJSON would print doubles). */
static cJSON *uint_array(const size_t *values, size_t n) {
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array != NULL && i < n; ++i) {
        char text[24];
        snprintf(text, sizeof text, "%zu", values[i]);
        cJSON *raw = cJSON_CreateRaw(text);
        if (raw == NULL || !cJSON_AddItemToArray(array, raw)) {
            cJSON_Delete(raw);
            cJSON_Delete(array);
            array = NULL;
        }
    }
    return array;
}

/* *out = bytes of one tensor (4 or 2 per element); 0 when that overflows size_t. */
static int tensor_bytes(const dn_st_output *t, size_t *out) {
    size_t bytes = t->bf16 ? 2 : 4;
    for (size_t d = 0; d < t->rank; ++d) {
        if (t->shape[d] != 0 && bytes > SIZE_MAX / t->shape[d]) return 0;
        bytes *= t->shape[d];
    }
    *out = bytes;
    return 1;
}

static cJSON *tensor_entry(const dn_st_output *t, size_t begin, size_t end) {
    cJSON *entry = cJSON_CreateObject();
    size_t offsets[2] = {begin, end};
    if (entry == NULL || !add_item(entry, "dtype", cJSON_CreateString(t->bf16 ? "BF16" : "F32")) ||
        !add_item(entry, "shape", uint_array(t->shape, t->rank)) ||
        !add_item(entry, "data_offsets", uint_array(offsets, 2))) {
        cJSON_Delete(entry);
        return NULL;
    }
    return entry;
}

/* The header JSON: "__metadata__" first (as the reference writer does), then the tensors. */
static dn_status build_header(const char *path, const dn_st_output *tensors, size_t count,
                              const char *const *keys, const char *const *values, size_t meta_count,
                              char **out, dn_error *err) {
    cJSON *root = cJSON_CreateObject(), *meta = NULL;
    int ok = root != NULL;
    if (ok && meta_count > 0) {
        ok = add_item(root, "__metadata__", meta = cJSON_CreateObject());
        for (size_t i = 0; ok && i < meta_count; ++i)
            ok = add_item(meta, keys[i], cJSON_CreateString(values[i]));
    }
    size_t offset = 0;
    for (size_t i = 0; ok && i < count; ++i) {
        size_t bytes;
        if (strcmp(tensors[i].name, "__metadata__") == 0 || tensors[i].rank > DN_ST_MAX_RANK ||
            !tensor_bytes(&tensors[i], &bytes) || offset + bytes < offset) {
            cJSON_Delete(root);
            return dni_fail(err, DN_ERR_ARGUMENT,
                            "%s: tensor \"%s\" cannot be stored (reserved "
                            "name, too many dimensions or too large)",
                            path, tensors[i].name);
        }
        ok = add_item(root, tensors[i].name, tensor_entry(&tensors[i], offset, offset + bytes));
        offset += bytes;
    }
    *out = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (*out == NULL) return dni_fail(err, DN_ERR_MEMORY, "%s: out of memory for the header", path);
    return DN_OK;
}

static dn_status write_failed(const write_job *job, dn_error *err) {
    return dni_fail(err, DN_ERR_IO, "cannot write \"%s\": %s", job->path, strerror(errno));
}

/* Elements [done, done + n) of t as stored (n ≤ 1024): little-endian F32 or BF16 into chunk;
 * returns the bytes. */
static size_t encode(const dn_st_output *t, size_t done, size_t n, unsigned char *chunk) {
    for (size_t k = 0; k < n; ++k) {
        if (t->bf16) {
            uint16_t h = dni_bf16_from_float(t->data[done + k]);
            chunk[2 * k] = (unsigned char)(h & 0xFFu);
            chunk[2 * k + 1] = (unsigned char)(h >> 8);
        } else {
            dni_store_le32(chunk + 4 * k, dni_float_bits(t->data[done + k]));
        }
    }
    return n * (t->bf16 ? 2 : 4);
}

static size_t element_count(const dn_st_output *t) {
    size_t count = 1;
    for (size_t d = 0; d < t->rank; ++d) count *= t->shape[d];
    return count;
}

uint32_t dni_st_output_checksum(uint32_t crc, const dn_st_output *t) {
    unsigned char chunk[4096];
    size_t count = element_count(t);
    for (size_t done = 0; done < count;) {
        size_t n = count - done < sizeof chunk / 4 ? count - done : sizeof chunk / 4;
        crc = dni_checksum_bytes(crc, chunk, encode(t, done, n, chunk));
        done += n;
    }
    return crc;
}

/* The file content: length, header, space padding, then each tensor's little-endian values. */
static dn_status write_content(FILE *file, void *context, dn_error *err) {
    const write_job *job = context;
    unsigned char chunk[4096];
    dni_store_le64(chunk, (uint64_t)job->padded_len);
    if (fwrite(chunk, 1, 8, file) != 8 ||
        fwrite(job->header, 1, job->header_len, file) != job->header_len)
        return write_failed(job, err);
    for (size_t i = job->header_len; i < job->padded_len; ++i)
        if (fputc(' ', file) == EOF) return write_failed(job, err);
    for (size_t i = 0; i < job->count; ++i) {
        const dn_st_output *t = &job->tensors[i];
        size_t count = element_count(t); /* its bytes were checked when the header was built */
        for (size_t done = 0; done < count;) {
            size_t n = count - done < sizeof chunk / 4 ? count - done : sizeof chunk / 4;
            size_t bytes = encode(t, done, n, chunk);
            if (fwrite(chunk, 1, bytes, file) != bytes) return write_failed(job, err);
            done += n;
        }
    }
    return DN_OK;
}

dn_status dni_st_save_f32(const char *path, const dn_st_output *tensors, size_t count,
                          const char *const *keys, const char *const *values, size_t meta_count,
                          dn_error *err) {
    if (path == NULL || (count > 0 && tensors == NULL) ||
        (meta_count > 0 && (keys == NULL || values == NULL)))
        return dni_fail(err, DN_ERR_ARGUMENT, "path, tensors and metadata must not be NULL");
    char *header;
    dn_status st = build_header(path, tensors, count, keys, values, meta_count, &header, err);
    if (st != DN_OK) return st;
    write_job job = {path, header, strlen(header), 0, tensors, count};
    /* The data buffer then starts 8-byte aligned, as the reference writer arranges. */
    job.padded_len = (job.header_len + 7) / 8 * 8;
    if (job.padded_len > DN_ST_MAX_HEADER)
        st = dni_fail(err, DN_ERR_ARGUMENT,
                      "%s: the header would be %zu bytes, over the format's limit of %d", path,
                      job.padded_len, DN_ST_MAX_HEADER);
    else
        st = dn_write_file_atomic(path, write_content, &job, err);
    cJSON_free(header);
    return st;
}
