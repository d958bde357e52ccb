/* disk_rows.c — features read from their file as they are needed (disk_rows.h). */
#define _GNU_SOURCE /* O_CLOEXEC, pread */
#include "data/disk_rows.h"

#include "core/alloc.h"
#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static dn_status make(dni_disk_rows **out, const char *path, int fd, uint64_t offset,
                      size_t row_bytes, dn_error *err) {
    dni_disk_rows *d = dni_alloc_zeroed(1, sizeof *d);
    char *copy = d ? strdup(path) : NULL;
    if (copy == NULL) {
        dni_free(d);
        close(fd);
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for a file reader");
    }
    d->fd = fd;
    d->path = copy;
    d->offset = offset;
    d->row_bytes = row_bytes;
    *out = d;
    return DN_OK;
}

dn_status dni_disk_rows_open(dni_disk_rows **out, const char *path, uint64_t offset,
                             size_t row_bytes, dn_error *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return dni_fail(err, DN_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    return make(out, path, fd, offset, row_bytes, err);
}

dn_status dni_disk_rows_select(const dni_disk_rows *src, const size_t *rows, size_t begin,
                               size_t count, dni_disk_rows **out, dn_error *err) {
    int fd = fcntl(src->fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return dni_fail(err, DN_ERR_IO, "cannot reopen %s: %s", src->path, strerror(errno));
    dni_disk_rows *d;
    dn_status st = make(&d, src->path, fd, src->offset, src->row_bytes, err);
    if (st != DN_OK) return st;
    if ((d->map = dni_alloc_zeroed(count, sizeof *d->map)) == NULL) {
        dni_disk_rows_free(d);
        return dni_fail(err, DN_ERR_MEMORY, "out of memory for a map of %zu rows", count);
    }
    for (size_t i = 0; i < count; ++i) {
        size_t r = rows ? rows[i] : begin + i;
        d->map[i] = src->map ? src->map[r] : r;
    }
    *out = d;
    return DN_OK;
}

void dni_disk_rows_free(dni_disk_rows *d) {
    if (d == NULL) return;
    close(d->fd);
    free(d->path);
    dni_free(d->map);
    dni_free(d);
}

/* Reads file row `row` into `buf`; 0, or records the failure and returns -1. */
static int read_row(dni_disk_rows *d, size_t row, unsigned char *buf) {
    size_t got = 0;
    off_t at = (off_t)(d->offset + (uint64_t)row * d->row_bytes);
    while (got < d->row_bytes) {
        ssize_t r = pread(d->fd, buf + got, d->row_bytes - got, at + (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (d->error == 0) {
                d->error = r < 0 ? errno : -1;
                d->error_row = row;
            }
            return -1;
        }
        got += (size_t)r;
    }
    d->rows_read++;
    return 0;
}

void dni_disk_rows_gather(dni_disk_rows *d, const size_t *index, size_t n, float scale,
                          float *out) {
    size_t f = d->row_bytes;
    for (size_t i = 0; i < n; ++i) {
        float *row = out + i * f;
        /* The f bytes land in the row's last quarter (bytes 3f .. 4f − 1) and are widened front
         * to back: float j overwrites bytes 4j .. 4j + 3, all below byte 3f + j + 1, the first
         * one not yet widened; so no buffer (and no allocation) is needed. */
        unsigned char *bytes = (unsigned char *)row + 3 * f;
        size_t file_row = d->map ? d->map[index[i]] : index[i];
        if (read_row(d, file_row, bytes) != 0) {
            memset(row, 0, f * sizeof *row);
            continue;
        }
        for (size_t j = 0; j < f; ++j) row[j] = (float)bytes[j] * scale;
    }
}

dn_status dni_disk_rows_check(const dni_disk_rows *d, dn_error *err) {
    if (d == NULL || d->error == 0) return DN_OK;
    return dni_fail(err, DN_ERR_IO, "cannot read row %zu of %s: %s (the file changed or became "
                    "unreadable while training read it; restore it, or load the data into "
                    "memory with a larger --max-memory)", d->error_row, d->path,
                    d->error < 0 ? "the file ended early" : strerror(d->error));
}

size_t dni_disk_rows_bytes(size_t rows, int mapped) {
    return mapped ? rows * sizeof(size_t) : 0; /* the reader itself is a few dozen bytes */
}
