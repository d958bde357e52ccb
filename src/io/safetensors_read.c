/* safetensors_read.c — opening a safetensors file and validating the container before anything
 * trusts it: every size and offset is checked against the file, in 64-bit arithmetic. */
#include "io/safetensors_read.h"
#include "io/safetensors.h"

#include "core/error.h"
#include "io/byte_order.h"
#include "core/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef unsigned long long ull; /* for printf: uint64_t has no portable short format */

static const char METADATA_KEY[] = "__metadata__";

/* Bytes per element of each dtype the format defines; 0 for an unknown name. */
static unsigned dtype_bytes(const char *name) {
    static const struct {
        const char *name;
        unsigned bytes;
    } dtypes[] = {{"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
                  {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
                  {"U32", 4},  {"F32", 4}, {"I64", 8}, {"U64", 8},     {"F64", 8}};
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; ++i)
        if (strcmp(name, dtypes[i].name) == 0) return dtypes[i].bytes;
    return 0;
}

void dni_st_shape_text(char *buf, size_t size, const uint64_t *shape, size_t rank) {
    size_t used = 0;
    if (size == 0) return;
    buf[0] = '\0';
    for (size_t i = 0; i <= rank && used < size; ++i) {
        int n = i == rank
                    ? snprintf(buf + used, size - used, "]")
                    : snprintf(buf + used, size - used, "%s%llu", i ? ", " : "[", (ull)shape[i]);
        if (n < 0) return;
        used += (size_t)n;
    }
    if (rank == 0) snprintf(buf, size, "[]");
}

/* A JSON number that is a non-negative integer small enough (≤ 2^53) for a double to be exact. */
static int json_uint(const cJSON *item, uint64_t *out) {
    if (!cJSON_IsNumber(item)) return 0;
    double d = item->valuedouble;
    if (!(d >= 0.0 && d <= 9007199254740992.0) || (double)(uint64_t)d != d) return 0;
    *out = (uint64_t)d;
    return 1;
}

/* A model file is read with seeks, so only a regular file will do; anything else is named. */
static dn_status not_regular(const char *path, const struct stat *info, dn_error *err) {
    mode_t m = info->st_mode;
    return dni_fail(err, DN_ERR_IO, "cannot read \"%s\": it is a %s, not a regular file (a "
                   "model file is read with seeks)", path,
                   S_ISFIFO(m) ? "FIFO or pipe" : S_ISDIR(m) ? "directory"
                   : S_ISCHR(m) ? "character device" : "special file");
}

/* Printable ASCII (and tabs, line ends): a text file such as a CSV, never a safetensors length,
 * whose high bytes are 0 for any header under the limit. */
static int looks_like_text(const unsigned char *bytes, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (!(bytes[i] >= 0x20 && bytes[i] < 0x7f) && bytes[i] != '\t' && bytes[i] != '\n' &&
            bytes[i] != '\r')
            return 0;
    return 1;
}

/* Opens the file and reads the header length, checking both against the file size. */
static dn_status open_and_check_size(dn_st_file *st, dn_error *err) {
    const char *path = st->path;
    /* stat first, then open without blocking and check again on the descriptor: opening a FIFO
     * for reading would otherwise wait forever for a writer. */
    struct stat info;
    if (stat(path, &info) != 0)
        return dni_fail(err, DN_ERR_IO, "cannot open \"%s\": %s", path, strerror(errno));
    if (!S_ISREG(info.st_mode)) return not_regular(path, &info, err);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return dni_fail(err, DN_ERR_IO, "cannot open \"%s\": %s", path, strerror(errno));
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) { /* replaced since the stat */
        close(fd);
        return not_regular(path, &info, err);
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
        (st->file = fdopen(fd, "rb")) == NULL) {
        int cause = errno;
        close(fd);
        return dni_fail(err, DN_ERR_IO, "cannot open \"%s\": %s", path, strerror(cause));
    }
    st->file_size = (uint64_t)info.st_size;
    if (st->file_size < 8)
        return dni_fail(err, DN_ERR_FORMAT,
                        "%s: the file is %llu bytes, too short for the 8-byte "
                        "header length of a safetensors file",
                        path, (ull)st->file_size);
    unsigned char prefix[8];
    if (fread(prefix, 1, sizeof prefix, st->file) != sizeof prefix)
        return dni_fail(err, DN_ERR_IO, "cannot read \"%s\": %s", path,
                        feof(st->file) ? "unexpected end of file" : strerror(errno));
    st->header_size = dni_load_le64(prefix);
    if (st->header_size > DN_ST_MAX_HEADER && looks_like_text(prefix, sizeof prefix))
        return dni_fail(err, DN_ERR_FORMAT, "%s: this is not a safetensors file (it looks like "
                        "%s); give a model saved by dropnet train", path,
                        memchr(prefix, ',', sizeof prefix) || memchr(prefix, ';', sizeof prefix)
                            ? "CSV" : "text");
    if (st->header_size > DN_ST_MAX_HEADER)
        return dni_fail(err, DN_ERR_FORMAT,
                        "%s: header length %llu (bytes 0-7) exceeds the limit of %d bytes", path,
                        (ull)st->header_size, DN_ST_MAX_HEADER);
    if (st->header_size > st->file_size - 8)
        return dni_fail(err, DN_ERR_FORMAT,
                        "%s: header length %llu (bytes 0-7) runs past the end "
                        "of the file: only %llu bytes follow the length",
                        path, (ull)st->header_size, (ull)(st->file_size - 8));
    st->buffer_offset = 8 + st->header_size;
    st->buffer_size = st->file_size - st->buffer_offset;
    return DN_OK;
}

/* Reads the header, checks it is UTF-8 and parses it as one JSON object (padding allowed). */
static dn_status read_header(dn_st_file *st, dn_error *err) {
    size_t n = (size_t)st->header_size;
    char *text = malloc(n + 1);
    if (text == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "%s: out of memory for a %zu-byte header", st->path, n);
    dn_status status = DN_OK;
    if (fread(text, 1, n, st->file) != n) {
        status = dni_fail(err, DN_ERR_IO, "cannot read the header of \"%s\": %s", st->path,
                          feof(st->file) ? "unexpected end of file" : strerror(errno));
        goto done;
    }
    text[n] = '\0';
    size_t bad = dni_utf8_invalid_at(text, n);
    if (bad != n) {
        status = dni_fail(err, DN_ERR_FORMAT,
                          "%s: the header is not valid UTF-8 at file offset %zu",
                         st->path, 8 + bad);
        goto done;
    }
    const char *end = NULL;
    st->header = cJSON_ParseWithLengthOpts(text, n, &end, 0);
    size_t at = end ? (size_t)(end - text) : 0;
    if (st->header == NULL) {
        status = dni_fail(err, DN_ERR_FORMAT,
                          "%s: invalid JSON in the header at file offset %zu (header byte %zu)",
                          st->path, 8 + at, at);
        goto done;
    }
    while (at < n && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r'))
        at++;
    if (at < n)
        status = dni_fail(err, DN_ERR_FORMAT,
                          "%s: unexpected text after the JSON header at file offset %zu", st->path,
                          8 + at);
    else if (!cJSON_IsObject(st->header))
        status = dni_fail(err, DN_ERR_FORMAT, "%s: the header is JSON but not an object", st->path);
done:
    free(text);
    return status;
}

static int by_key(const void *a, const void *b) {
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* A JSON object may repeat a key; lookups would silently take the first, so refuse it. */
static dn_status check_unique_keys(const dn_st_file *st, const cJSON *object, dn_error *err) {
    size_t n = 0;
    for (const cJSON *kv = object->child; kv != NULL; kv = kv->next) n++;
    const cJSON **sorted = calloc(n ? n : 1, sizeof *sorted);
    if (sorted == NULL) return dni_fail(err, DN_ERR_MEMORY, "%s: out of memory", st->path);
    n = 0;
    for (const cJSON *kv = object->child; kv != NULL; kv = kv->next) sorted[n++] = kv;
    qsort(sorted, n, sizeof *sorted, by_key);
    dn_status status = DN_OK;
    for (size_t i = 1; i < n && status == DN_OK; ++i)
        if (strcmp(sorted[i - 1]->string, sorted[i]->string) == 0)
            status = dni_fail(err, DN_ERR_FORMAT, "%s: %s key \"%s\" appears twice", st->path,
                              METADATA_KEY, sorted[i]->string);
    free(sorted);
    return status;
}

static dn_status check_metadata(dn_st_file *st, const cJSON *item, dn_error *err) {
    if (st->metadata != NULL)
        return dni_fail(err, DN_ERR_FORMAT, "%s: \"%s\" appears twice in the header", st->path,
                        METADATA_KEY);
    if (!cJSON_IsObject(item))
        return dni_fail(err, DN_ERR_FORMAT, "%s: \"%s\" is not a JSON object", st->path,
                        METADATA_KEY);
    for (const cJSON *kv = item->child; kv != NULL; kv = kv->next)
        if (!cJSON_IsString(kv))
            return dni_fail(err, DN_ERR_FORMAT,
                            "%s: %s value of \"%s\" is not a string (the format "
                            "allows only strings)",
                            st->path, METADATA_KEY, kv->string);
    st->metadata = item;
    return check_unique_keys(st, item, err);
}

/* Fills `t` from one header entry and checks it against the data buffer. */
static dn_status parse_entry(dn_st_file *st, const cJSON *item, dn_st_tensor *t, dn_error *err) {
    const char *path = st->path, *name = item->string;
    t->name = name;
    if (!cJSON_IsObject(item))
        return dni_fail(err, DN_ERR_FORMAT, "%s: header entry \"%s\" is not a JSON object", path,
                        name);
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(item, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(item, "shape");
    const cJSON *offsets = cJSON_GetObjectItemCaseSensitive(item, "data_offsets");
    if (!cJSON_IsString(dtype))
        return dni_fail(err, DN_ERR_FORMAT, "%s: tensor \"%s\" has no \"dtype\" string", path,
                        name);
    t->dtype = dtype->valuestring;
    uint64_t bytes = dtype_bytes(t->dtype);
    if (bytes == 0)
        return dni_fail(err, DN_ERR_FORMAT, "%s: tensor \"%s\" has unknown dtype \"%s\"", path,
                        name,
                       t->dtype);
    if (!cJSON_IsArray(shape))
        return dni_fail(err, DN_ERR_FORMAT, "%s: tensor \"%s\" has no \"shape\" array", path, name);
    for (const cJSON *d = shape->child; d != NULL; d = d->next) {
        if (t->rank == DN_ST_MAX_RANK)
            return dni_fail(err, DN_ERR_FORMAT, "%s: tensor \"%s\" has more than %d dimensions",
                            path, name, DN_ST_MAX_RANK);
        uint64_t dim;
        if (!json_uint(d, &dim))
            return dni_fail(err, DN_ERR_FORMAT,
                            "%s: tensor \"%s\": shape entries must be non-negative integers", path,
                            name);
        t->shape[t->rank++] = dim;
        if (dim != 0 && bytes > UINT64_MAX / dim)
            bytes = UINT64_MAX; /* saturate: never equal */
        else
            bytes *= dim;
    }
    if (!cJSON_IsArray(offsets) || cJSON_GetArraySize(offsets) != 2 ||
        !json_uint(offsets->child, &t->begin) || !json_uint(offsets->child->next, &t->end))
        return dni_fail(err, DN_ERR_FORMAT,
                        "%s: tensor \"%s\": \"data_offsets\" must be [begin, "
                        "end], two non-negative integers",
                        path, name);
    if (t->begin > t->end)
        return dni_fail(err, DN_ERR_FORMAT,
                        "%s: tensor \"%s\" has data_offsets [%llu, %llu] with begin after end", path,
                        name, (ull)t->begin, (ull)t->end);
    if (t->end > st->buffer_size)
        return dni_fail(err, DN_ERR_FORMAT,
                        "%s: tensor \"%s\" has data_offsets [%llu, %llu] past "
                        "the end of the data buffer (%llu bytes; is the file truncated?)",
                        path, name, (ull)t->begin, (ull)t->end, (ull)st->buffer_size);
    if (bytes != t->end - t->begin) {
        char dims[128];
        dni_st_shape_text(dims, sizeof dims, t->shape, t->rank);
        return dni_fail(err, DN_ERR_FORMAT,
                        "%s: tensor \"%s\" (%s, shape %s) has data_offsets "
                        "[%llu, %llu] holding %llu bytes; the shape needs %llu",
                        path, name, t->dtype, dims, (ull)t->begin, (ull)t->end,
                        (ull)(t->end - t->begin), (ull)bytes);
    }
    return DN_OK;
}

static dn_status parse_entries(dn_st_file *st, dn_error *err) {
    size_t count = 0;
    for (const cJSON *item = st->header->child; item != NULL; item = item->next) count++;
    st->tensors = calloc(count ? count : 1, sizeof *st->tensors);
    if (st->tensors == NULL)
        return dni_fail(err, DN_ERR_MEMORY, "%s: out of memory for %zu tensors", st->path, count);
    for (const cJSON *item = st->header->child; item != NULL; item = item->next) {
        dn_status s = strcmp(item->string, METADATA_KEY) == 0
                          ? check_metadata(st, item, err)
                          : parse_entry(st, item, &st->tensors[st->tensor_count++], err);
        if (s != DN_OK) return s;
    }
    return DN_OK;
}

static int by_offsets(const void *a, const void *b) {
    const dn_st_tensor *x = *(const dn_st_tensor *const *)a, *y = *(const dn_st_tensor *const *)b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

/* Walks the tensors in buffer order: each must start where the previous one ended. */
static dn_status check_layout(dn_st_file *st, dn_error *err) {
    size_t n = st->tensor_count;
    const dn_st_tensor **order = calloc(n ? n : 1, sizeof *order);
    if (order == NULL) return dni_fail(err, DN_ERR_MEMORY, "%s: out of memory", st->path);
    for (size_t i = 0; i < n; ++i) order[i] = &st->tensors[i];
    qsort(order, n, sizeof *order, by_offsets);
    dn_status status = DN_OK;
    uint64_t covered = 0;
    for (size_t i = 0; i < n && status == DN_OK; ++i) {
        const dn_st_tensor *t = order[i], *prev = i ? order[i - 1] : NULL;
        if (t->begin < covered)
            status = dni_fail(err, DN_ERR_FORMAT,
                              "%s: tensors \"%s\" [%llu, %llu) and \"%s\" [%llu, "
                              "%llu) overlap in the data buffer",
                              st->path, prev->name, (ull)prev->begin, (ull)prev->end, t->name,
                              (ull)t->begin, (ull)t->end);
        else if (t->begin > covered)
            status = dni_fail(err, DN_ERR_FORMAT,
                              "%s: bytes [%llu, %llu) of the data buffer belong "
                              "to no tensor (the format allows no holes)",
                              st->path, (ull)covered, (ull)t->begin);
        covered = t->end;
    }
    if (status == DN_OK && covered != st->buffer_size)
        status = dni_fail(err, DN_ERR_FORMAT,
                          "%s: bytes [%llu, %llu) at the end of the data buffer "
                          "belong to no tensor (the format allows no holes)",
                          st->path, (ull)covered, (ull)st->buffer_size);
    free(order);
    return status;
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const dn_st_tensor *)a)->name, ((const dn_st_tensor *)b)->name);
}

static dn_status sort_and_check_names(dn_st_file *st, dn_error *err) {
    qsort(st->tensors, st->tensor_count, sizeof *st->tensors, by_name);
    for (size_t i = 1; i < st->tensor_count; ++i)
        if (strcmp(st->tensors[i - 1].name, st->tensors[i].name) == 0)
            return dni_fail(err, DN_ERR_FORMAT, "%s: tensor \"%s\" appears twice in the header",
                            st->path, st->tensors[i].name);
    return DN_OK;
}

dn_status dni_st_open(dn_st_file *st, const char *path, dn_error *err) {
    if (st == NULL || path == NULL)
        return dni_fail(err, DN_ERR_ARGUMENT, "file and path must not be NULL");
    memset(st, 0, sizeof *st);
    st->path = path;
    dn_status s = open_and_check_size(st, err);
    if (s == DN_OK) s = read_header(st, err);
    if (s == DN_OK) s = parse_entries(st, err);
    if (s == DN_OK) s = sort_and_check_names(st, err);
    if (s == DN_OK) s = check_layout(st, err);
    if (s != DN_OK) dni_st_close(st);
    return s;
}

void dni_st_close(dn_st_file *st) {
    if (st == NULL) return;
    if (st->file != NULL) fclose(st->file);
    cJSON_Delete(st->header);
    free(st->tensors);
    memset(st, 0, sizeof *st);
}

const dn_st_tensor *dni_st_find(const dn_st_file *st, const char *name) {
    if (st->tensor_count == 0) return NULL;
    dn_st_tensor key;
    key.name = name;
    return bsearch(&key, st->tensors, st->tensor_count, sizeof key, by_name);
}

const char *dni_st_metadata(const dn_st_file *st, const char *key) {
    const cJSON *item = st->metadata ? cJSON_GetObjectItemCaseSensitive(st->metadata, key) : NULL;
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

dn_status dni_st_read_f32(dn_st_file *st, const dn_st_tensor *t, float *out, dn_error *err) {
    int bf16 = strcmp(t->dtype, "BF16") == 0;
    if (!bf16 && strcmp(t->dtype, "F32") != 0)
        return dni_fail(err, DN_ERR_FORMAT, "%s: tensor \"%s\" has dtype %s, expected F32",
                        st->path,
                       t->name, t->dtype);
    unsigned size = bf16 ? 2 : 4;
    uint64_t pos = st->buffer_offset + t->begin, count = (t->end - t->begin) / size;
    if (pos > (uint64_t)INT64_MAX || (uint64_t)(off_t)pos != pos ||
        fseeko(st->file, (off_t)pos, SEEK_SET) != 0)
        return dni_fail(err, DN_ERR_IO, "%s: cannot seek to tensor \"%s\" at offset %llu: %s",
                        st->path, t->name, (ull)pos, strerror(errno));
    unsigned char chunk[4096];
    for (uint64_t done = 0; done < count;) {
        size_t n = count - done < sizeof chunk / 4 ? (size_t)(count - done) : sizeof chunk / 4;
        if (fread(chunk, size, n, st->file) != n)
            return dni_fail(err, DN_ERR_IO, "%s: cannot read tensor \"%s\": %s", st->path, t->name,
                            feof(st->file) ? "unexpected end of file" : strerror(errno));
        for (size_t k = 0; k < n; ++k) /* a bf16 value is the top half of its float: exact */
            out[done + k] = dni_float_from_bits(
                bf16 ? (uint32_t)chunk[2 * k] << 16 | (uint32_t)chunk[2 * k + 1] << 24
                     : dni_load_le32(chunk + 4 * k));
        done += n;
    }
    return DN_OK;
}
