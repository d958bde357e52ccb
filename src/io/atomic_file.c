/* atomic_file.c — write to a temporary file beside the target, fsync, rename over it. */
#include "io/atomic_file.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char TMP_SUFFIX[] = ".tmp.XXXXXX";

/* The directory holding `path` ("." for a bare name), for fsync after the rename. */
static char *directory_of(const char *path) {
    const char *slash = strrchr(path, '/');
    size_t len = slash == NULL ? 1 : (slash == path ? 1 : (size_t)(slash - path));
    char *dir = malloc(len + 1);
    if (dir == NULL) return NULL;
    memcpy(dir, slash == NULL ? "." : path, len);
    dir[len] = '\0';
    return dir;
}

/* fsync of a directory makes a rename inside it durable. Some file systems cannot sync a
 * directory (EINVAL); the data itself is already on disk then, so that is not an error. */
static dn_status sync_directory(const char *path, dn_error *err) {
    char *dir = directory_of(path);
    if (dir == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory saving \"%s\"", path);
    dn_status st = DN_OK;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL))
        st = dni_fail(err, DN_ERR_IO,
                      "\"%s\" was written but its directory \"%s\" could not be synced: %s", path,
                      dir, strerror(errno));
    if (fd >= 0) close(fd);
    free(dir);
    return st;
}

/* Runs `produce` on the open temporary file and makes its content durable; closes the file. */
static dn_status fill_and_close(FILE *file, const char *tmp, dn_write_fn produce, void *context,
                                dn_error *err) {
    dn_status st = produce(file, context, err);
    if (st == DN_OK && (fflush(file) != 0 || ferror(file)))
        st = dni_fail(err, DN_ERR_IO, "cannot write \"%s\": %s", tmp, strerror(errno));
    if (st == DN_OK && fsync(fileno(file)) != 0)
        st = dni_fail(err, DN_ERR_IO, "cannot sync \"%s\" to disk: %s", tmp, strerror(errno));
    if (fclose(file) != 0 && st == DN_OK)
        st = dni_fail(err, DN_ERR_IO, "cannot close \"%s\": %s", tmp, strerror(errno));
    return st;
}

dn_status dn_write_file_atomic(const char *path, dn_write_fn produce, void *context, dn_error *err) {
    if (path == NULL || path[0] == '\0')
        return dni_fail(err, DN_ERR_ARGUMENT, "the file path must not be empty");
    if (produce == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "the write function must not be NULL");
    size_t len = strlen(path);
    char *tmp = malloc(len + sizeof TMP_SUFFIX);
    if (tmp == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory saving \"%s\"", path);
    memcpy(tmp, path, len);
    memcpy(tmp + len, TMP_SUFFIX, sizeof TMP_SUFFIX);

    int fd = mkstemp(tmp);
    if (fd < 0) {
        dn_status st =
            dni_fail(err, DN_ERR_IO, "cannot create a temporary file \"%s\" to save \"%s\": %s",
                     tmp,
                    path, strerror(errno));
        free(tmp);
        return st;
    }
    dn_status st = DN_OK;
    FILE *file = NULL;
    if (fchmod(fd, 0644) != 0 || (file = fdopen(fd, "wb")) == NULL) {
        st = dni_fail(err, DN_ERR_IO, "cannot open \"%s\" for writing: %s", tmp, strerror(errno));
        close(fd);
    } else {
        st = fill_and_close(file, tmp, produce, context, err);
    }
    if (st == DN_OK && rename(tmp, path) != 0)
        st = dni_fail(err, DN_ERR_IO, "cannot rename \"%s\" to \"%s\": %s", tmp, path,
                      strerror(errno));
    if (st != DN_OK) {
        unlink(tmp);
        free(tmp);
        return st;
    }
    free(tmp);
    return sync_directory(path, err);
}
