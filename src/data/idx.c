/* idx.c — MNIST-style IDX files (plain or gzip): an image file and a label file → dataset.
 *
 * Format (big-endian): magic = 0x00 0x00 <data type> <number of dimensions>, one 32-bit size per
 * dimension, then the data in row-major order. Only unsigned bytes (type 0x08) are accepted:
 * images with 3 dimensions (count × height × width) or 2 (count × features), labels with 1.
 *
 * Every size in a header is checked against the file before anything is allocated, so a
 * corrupted header that claims 2^31 images fails at once instead of asking for terabytes. */
#include "data/idx.h"
#include "data/dataset.h"
#include "data/disk_rows.h"

#include "core/alloc.h"
#include "core/error.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

enum {
    DN_IDX_UBYTE = 0x08,
    /* Deflate cannot expand data by more than about 1032:1, so a gzip file of n bytes holds at
     * most 1032·n bytes: a bound on what its header may claim. */
    DN_DEFLATE_MAX_RATIO = 1032,
    DN_GZREAD_CHUNK = 1 << 30 /* gzread counts in unsigned int */
};

typedef enum idx_kind { IDX_IMAGES, IDX_LABELS } idx_kind;

typedef struct idx_file {
    const char *path;
    gzFile gz;
    uint64_t file_bytes;  /* size on disk (compressed for gzip) */
    size_t header_bytes;  /* 4 + 4·dimensions */
    unsigned dims;
    uint32_t size[3];
    size_t count;         /* size[0]: images or labels */
    size_t item;          /* bytes per image (product of the other sizes), 1 for labels */
} idx_file;

static const char *kind_name(idx_kind kind) { return kind == IDX_IMAGES ? "images" : "labels"; }

static const char *type_name(unsigned type) {
    switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "16-bit integer";
    case 0x0C: return "32-bit integer";
    case 0x0D: return "32-bit float";
    case 0x0E: return "64-bit float";
    }
    return "unknown type";
}

static const char *gz_reason(gzFile gz) {
    int code;
    const char *msg = gzerror(gz, &code);
    return code == Z_ERRNO ? strerror(errno) : msg;
}

/* Reads exactly n bytes found at byte `offset` of the data; `what` names them in the message. */
static dn_status read_exact(idx_file *f, void *buf, size_t n, size_t offset, const char *what,
                            dn_error *err) {
    size_t got = 0;
    while (got < n) {
        size_t want = n - got < DN_GZREAD_CHUNK ? n - got : DN_GZREAD_CHUNK;
        int r = gzread(f->gz, (unsigned char *)buf + got, (unsigned)want);
        if (r < 0) return dni_fail(err, DN_ERR_IO, "cannot read %s: %s", f->path, gz_reason(f->gz));
        if (r == 0) break;
        got += (size_t)r;
    }
    if (got < n)
        return dni_fail(err, DN_ERR_FORMAT, "%s: truncated: expected %zu bytes of %s at byte %zu, "
                        "found %zu", f->path, n, what, offset, got);
    return DN_OK;
}

static uint32_t big_endian_u32(const unsigned char *b) {
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static dn_status check_magic(const idx_file *f, const unsigned char m[4], idx_kind kind,
                             dn_error *err) {
    uint32_t magic = big_endian_u32(m);
    const char *expected = kind == IDX_IMAGES ? "0x00000803 (images) or 0x00000802 (flat rows)"
                                              : "0x00000801 (labels)";
    if (m[0] != 0 || m[1] != 0)
        return dni_fail(err, DN_ERR_FORMAT, "%s: expected an IDX magic number %s, found 0x%08x "
                        "(not an IDX file)", f->path, expected, (unsigned)magic);
    if (m[2] != DN_IDX_UBYTE)
        return dni_fail(err, DN_ERR_FORMAT, "%s: expected IDX data type 0x08 (unsigned byte), "
                        "found 0x%02x (%s)", f->path, m[2], type_name(m[2]));
    int dims_ok = kind == IDX_IMAGES ? (m[3] == 2 || m[3] == 3) : m[3] == 1;
    if (!dims_ok)
        return dni_fail(err, DN_ERR_FORMAT, "%s: expected an IDX %s file, magic number %s, found "
                        "0x%08x (%u dimension%s)", f->path, kind_name(kind), expected,
                        (unsigned)magic, m[3], m[3] == 1 ? "" : "s");
    return DN_OK;
}

/* Refuses sizes the file cannot hold: exactly for a plain file, by the deflate bound for gzip. */
static dn_status check_claim(const idx_file *f, idx_kind kind, dn_error *err) {
    size_t payload;
    if (!dni_mul_size(f->count, f->item, &payload))
        return dni_fail(err, DN_ERR_FORMAT, "%s: header claims %zu %s of %zu bytes, which "
                        "overflows", f->path, f->count, kind_name(kind), f->item);
    if (!gzdirect(f->gz)) {
        if (payload / DN_DEFLATE_MAX_RATIO > f->file_bytes)
            return dni_fail(err, DN_ERR_FORMAT,
                            "%s: header claims %zu %s of %zu bytes (%zu bytes), "
                           "more than a %llu-byte gzip file can hold", f->path, f->count,
                           kind_name(kind), f->item, payload, (unsigned long long)f->file_bytes);
        return DN_OK; /* truncation shows when the data is read */
    }
    uint64_t data_bytes = f->file_bytes - f->header_bytes; /* the header was read from it */
    if (payload > data_bytes)
        return dni_fail(err, DN_ERR_FORMAT, "%s: truncated: header claims %zu %s of %zu bytes "
                        "(%zu bytes), found %llu bytes after the %zu-byte header", f->path,
                        f->count, kind_name(kind), f->item, payload,
                        (unsigned long long)data_bytes, f->header_bytes);
    if (payload < data_bytes)
        return dni_fail(err, DN_ERR_FORMAT, "%s: expected the file to end after %zu %s (%zu bytes "
                        "after the header), found %llu more bytes", f->path, f->count,
                        kind_name(kind), payload, (unsigned long long)(data_bytes - payload));
    return DN_OK;
}

/* Reads and validates the magic number and sizes; leaves f->gz positioned at the data. */
static dn_status read_header(idx_file *f, idx_kind kind, dn_error *err) {
    unsigned char m[4], b[12];
    dn_status st = read_exact(f, m, 4, 0, "IDX magic number", err);
    if (st == DN_OK) st = check_magic(f, m, kind, err);
    if (st == DN_OK) st = read_exact(f, b, 4u * m[3], 4, "IDX sizes", err);
    if (st != DN_OK) return st;
    f->dims = m[3];
    f->header_bytes = 4 + 4u * f->dims;
    f->item = 1;
    for (unsigned d = 0; d < f->dims; ++d) {
        f->size[d] = big_endian_u32(b + 4 * d);
        if (f->size[d] == 0)
            return dni_fail(err, DN_ERR_FORMAT, "%s: expected IDX size %u of %u to be > 0, found 0",
                            f->path, d + 1, f->dims);
        /* two sizes of at most 2^32 − 1 cannot overflow a 64-bit size_t */
        if (d > 0) f->item *= f->size[d];
    }
    f->count = f->size[0];
    return check_claim(f, kind, err);
}

static dn_status idx_open(idx_file *f, const char *path, idx_kind kind, dn_error *err) {
    struct stat info;
    f->path = path;
    if (stat(path, &info) != 0)
        return dni_fail(err, DN_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    if (!S_ISREG(info.st_mode))
        return dni_fail(err, DN_ERR_IO, "cannot open %s: not a regular file", path);
    f->file_bytes = (uint64_t)info.st_size;
    errno = 0;
    if ((f->gz = gzopen(path, "rb")) == NULL)
        return dni_fail(err, DN_ERR_IO, "cannot open %s: %s", path,
                        errno ? strerror(errno) : "out of memory");
    return read_header(f, kind, err);
}

/* After the last row, nothing may follow (plain files were checked by size already). */
static dn_status check_end(idx_file *f, dn_error *err) {
    unsigned char extra;
    int r = gzread(f->gz, &extra, 1);
    if (r < 0) return dni_fail(err, DN_ERR_IO, "cannot read %s: %s", f->path, gz_reason(f->gz));
    if (r > 0)
        return dni_fail(err, DN_ERR_FORMAT, "%s: expected the data to end after %zu rows, found "
                        "more bytes", f->path, f->count);
    return DN_OK;
}

static dn_status read_labels(idx_file *f, dn_dataset *d, dn_error *err) {
    uint8_t *raw = dni_alloc_zeroed(d->rows, 1);
    if (raw == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for %zu labels", d->rows);
    dn_status st = read_exact(f, raw, d->rows, f->header_bytes, "labels", err);
    if (st == DN_OK && d->rows == f->count) st = check_end(f, err);
    size_t max = 0;
    for (size_t r = 0; st == DN_OK && r < d->rows; ++r) {
        d->labels[r] = raw[r];
        if (raw[r] > max) max = raw[r];
    }
    d->classes = max + 1; /* bytes: at most 256 classes, every label below by construction */
    dni_free(raw);
    return st;
}

static dn_status read_images(idx_file *f, dn_dataset *d, dn_error *err) {
    dn_status st = read_exact(f, d->x_u8, d->rows * d->features, f->header_bytes, "pixels", err);
    if (st == DN_OK && d->rows == f->count) st = check_end(f, err);
    return st;
}

/* Over the memory cap, an uncompressed image file is not loaded: its rows are read from it as
 * they are needed (disk_rows.h), and only the labels are held. A gzip file cannot be read at a
 * row, so it is refused, naming the way out. */
static dn_status cap_or_disk(idx_file *img, size_t rows, size_t max_bytes, int *on_disk,
                             dn_error *err) {
    char what[96];
    snprintf(what, sizeof what, "loading %zu images x %zu pixels", rows, img->item);
    size_t resident = dni_dataset_storage_bytes(rows, img->item, 1, 1, 0);
    size_t kept = dni_dataset_storage_bytes(rows, 0, 1, 1, 0) + dni_disk_rows_bytes(rows, 0);
    *on_disk = max_bytes != 0 && resident > max_bytes && gzdirect(img->gz);
    if (*on_disk) return dni_check_memory_cap(img->path, "its labels", kept, max_bytes, err);
    dn_status st = dni_check_memory_cap(img->path, what, resident, max_bytes, err);
    if (st != DN_OK && err != NULL && !gzdirect(img->gz))
        snprintf(err->message + strlen(err->message), sizeof err->message - strlen(err->message),
                 " (a gzip file must be loaded whole; uncompressed with gunzip, it is read from "
                 "disk row by row instead)");
    return st;
}

static dn_status load_pair(idx_file *img, idx_file *lab, size_t max_rows, size_t max_bytes,
                           dn_dataset **out, dn_error *err) {
    if (img->count != lab->count)
        return dni_fail(err, DN_ERR_SHAPE, "%s holds %zu images but %s holds %zu labels: expected "
                        "the same count", img->path, img->count, lab->path, lab->count);
    size_t rows = max_rows != 0 && max_rows < img->count ? max_rows : img->count;
    dn_dataset *d;
    int on_disk;
    dn_status st = cap_or_disk(img, rows, max_bytes, &on_disk, err);
    /* classes = 1 only to have the labels array allocated; read_labels sets the real count. */
    if (st == DN_OK) st = dni_dataset_alloc(&d, rows, img->item, on_disk ? DNI_X_ON_DISK : 1, 1, 0, err);
    if (st != DN_OK) return st;
    d->u8_scale = 1.0f / 255.0f;
    if ((st = read_labels(lab, d, err)) == DN_OK)
        st = on_disk ? dni_disk_rows_open(&d->disk, img->path, img->header_bytes, img->item, err)
                     : read_images(img, d, err);
    if (st != DN_OK) {
        dn_dataset_free(d);
        return st;
    }
    *out = d;
    return DN_OK;
}

dn_status dni_idx_load(dn_dataset **out, const char *images_path, const char *labels_path,
                       size_t max_rows, size_t max_bytes, dn_error *err) {
    idx_file img = {0}, lab = {0};
    dn_status st = idx_open(&img, images_path, IDX_IMAGES, err);
    if (st == DN_OK) st = idx_open(&lab, labels_path, IDX_LABELS, err);
    if (st == DN_OK) st = load_pair(&img, &lab, max_rows, max_bytes, out, err);
    if (img.gz != NULL) gzclose(img.gz);
    if (lab.gz != NULL) gzclose(lab.gz);
    return st;
}
