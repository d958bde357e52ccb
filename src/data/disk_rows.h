/* disk_rows.h — a dataset's features left in their file and read row by row as they are needed
 * (internal; disk_rows.c).
 *
 * An uncompressed IDX image file whose rows do not fit under the memory cap (--max-memory, which
 * applies per MPI rank) is not refused: its labels are loaded and its pixels stay on disk. Every
 * gather (a training block, an evaluation chunk, a statistics pass) reads exactly the rows it
 * uses with one pread each, so a data-parallel rank reads only the rows of its own blocks: about
 * 1/N of the file per epoch, from the page cache on one node. A failed read cannot return from
 * the gather (it fills zeros); it is kept and reported by dni_disk_rows_check, which every caller
 * runs before it uses what it gathered (docs/SCALING.md "Data"). */
#ifndef DN_DATA_DISK_ROWS_H
#define DN_DATA_DISK_ROWS_H

#include "dropnet.h"

#include <stddef.h>
#include <stdint.h>

typedef struct dni_disk_rows {
    int fd;               /* the file, open read-only (each dataset owns its own descriptor) */
    char *path;           /* for messages */
    uint64_t offset;      /* the byte where file row 0 begins */
    size_t row_bytes;     /* bytes per row (one per feature) */
    size_t *map;          /* [rows] the file row of each dataset row, or NULL: row r is file row r */
    int error;            /* errno (or -1: the file ended early) of the first failed read; sticky */
    size_t error_row;     /* the file row it failed on */
    uint64_t rows_read;   /* rows read so far (what the tests count) */
} dni_disk_rows;

/* Opens `path`, whose file rows of `row_bytes` bytes begin at byte `offset`. */
dn_status dni_disk_rows_open(dni_disk_rows **out, const char *path, uint64_t offset,
                             size_t row_bytes, dn_error *err);

/* A new reader of the same file for a subset of `src`'s rows: its rows [begin, begin + count)
 * when `rows` is NULL, else rows[0..count). */
dn_status dni_disk_rows_select(const dni_disk_rows *src, const size_t *rows, size_t begin,
                               size_t count, dni_disk_rows **out, dn_error *err);

void dni_disk_rows_free(dni_disk_rows *d);

/* out [n × row_bytes] floats = the bytes of rows index[0..n) times `scale`; zeros after a failed
 * read (recorded in d->error). */
void dni_disk_rows_gather(dni_disk_rows *d, const size_t *index, size_t n, float scale,
                          float *out);

/* DN_ERR_IO naming the file and the row when a read failed, else DN_OK. */
dn_status dni_disk_rows_check(const dni_disk_rows *d, dn_error *err);

/* Bytes held in memory for `rows` rows: the row map when `mapped`, else none. */
size_t dni_disk_rows_bytes(size_t rows, int mapped);

#endif
