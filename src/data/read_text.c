/* read_text.c — a whole text file in memory, whether it is plain or gzip-compressed. */
#include "data/read_text.h"

#include "core/error.h"
#include "data/dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* gzread takes an unsigned count and returns an int: read at most this much per call. */
enum { DN_TEXT_CHUNK = 1 << 20 };

/* Grows *buf so that it holds at least `need` bytes, doubling to keep appends linear (a first
 * buffer of exactly `need`, so a small capped file does not take a whole chunk). */
static int ensure_capacity(char **buf, size_t *cap, size_t need) {
    if (need <= *cap) return 1;
    size_t next = *cap ? *cap : need;
    while (next < need) {
        if (next > SIZE_MAX / 2) return 0;
        next *= 2;
    }
    char *grown = realloc(*buf, next);
    if (grown == NULL) return 0;
    *buf = grown;
    *cap = next;
    return 1;
}

/* The reason zlib gives for a failed read (errno for a system error). */
static const char *gz_reason(gzFile gz) {
    int code;
    const char *msg = gzerror(gz, &code);
    return code == Z_ERRNO ? strerror(errno) : msg;
}

/* Opens `path` for reading after checking what it is: a regular file, or a stream (a FIFO, a
 * pipe such as /dev/fd/63 or /dev/stdin, a character device); "-" is standard input. A
 * directory or anything else is refused by name instead of failing (or blocking) in open. */
static dn_status open_text(const char *path, gzFile *gz, dn_error *err) {
    int fd;
    struct stat info;
    if (strcmp(path, "-") == 0) {
        if ((fd = dup(0)) < 0)
            return dni_fail(err, DN_ERR_IO, "cannot read standard input: %s", strerror(errno));
    } else {
        if (stat(path, &info) != 0)
            return dni_fail(err, DN_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        if (!S_ISREG(info.st_mode) && !S_ISFIFO(info.st_mode) && !S_ISCHR(info.st_mode))
            return dni_fail(err, DN_ERR_IO, "cannot read %s: it is a %s, expected a file or a pipe",
                           path, S_ISDIR(info.st_mode) ? "directory" : "socket or block device");
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            return dni_fail(err, DN_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    }
    errno = 0;
    if ((*gz = gzdopen(fd, "rb")) == NULL) {
        close(fd);
        return dni_fail(err, DN_ERR_IO, "cannot open %s: %s", path,
                       errno ? strerror(errno) : "out of memory");
    }
    return DN_OK;
}

dn_status dni_read_text_file(const char *path, size_t max_bytes, char **text, size_t *len,
                            dn_error *err) {
    gzFile gz = NULL;
    dn_status opened = open_text(path, &gz, err);
    if (opened != DN_OK) return opened;
    char *buf = NULL;
    size_t cap = 0, used = 0;
    for (;;) {
        /* Under a cap, read at most one byte past it: enough to know the text is over (used never
         * exceeds max_bytes here, so the difference cannot wrap). */
        size_t want = DN_TEXT_CHUNK;
        if (max_bytes != 0 && max_bytes - used < want) want = max_bytes - used + 1;
        /* +1 keeps room for the NUL terminator after the last chunk. */
        if (used > SIZE_MAX - want - 1 || !ensure_capacity(&buf, &cap, used + want + 1)) {
            free(buf);
            gzclose(gz);
            return dni_fail(err, DN_ERR_MEMORY, "out of memory reading %s (%zu bytes so far)",
                            path, used);
        }
        int n = gzread(gz, buf + used, (unsigned)want);
        if (n < 0) {
            dn_status st = dni_fail(err, DN_ERR_IO, "cannot read %s: %s", path, gz_reason(gz));
            free(buf);
            gzclose(gz);
            return st;
        }
        if (n == 0) break;
        /* Binary data is refused in the block that shows it, not after reading (or decompressing)
         * the whole file: a 2 GB sparse file stops at its first megabyte. */
        const char *nul = memchr(buf + used, '\0', (size_t)n);
        if (nul != NULL) {
            size_t line = 1, at = (size_t)(nul - buf);
            for (const char *c = buf; c < nul; ++c) line += *c == '\n';
            dn_status st = dni_fail(err, DN_ERR_FORMAT, "%s:%zu: expected text, found a NUL byte "
                                   "(at byte %zu): is this a binary file?", path, line, at);
            free(buf);
            gzclose(gz);
            return st;
        }
        used += (size_t)n;
        if (max_bytes != 0 && used > max_bytes) {
            dn_status st = dni_check_memory_cap(path, "reading its text", used, max_bytes, err);
            free(buf);
            gzclose(gz);
            return st;
        }
    }
    /* gzread reports end of data both for a complete file and a truncated gzip stream; only the
     * error state tells them apart. */
    int code;
    gzerror(gz, &code);
    if (code != Z_OK) {
        dn_status st = dni_fail(err, DN_ERR_IO, "cannot read %s: %s", path, gz_reason(gz));
        free(buf);
        gzclose(gz);
        return st;
    }
    gzclose(gz);
    buf[used] = '\0';
    *text = buf;
    *len = used;
    return DN_OK;
}
