/* atomic_file.c — the output policy: regular files replaced atomically, devices, FIFOs and the
 * process's own descriptors written in place, symlinks written through to their target.
 *
 * Atomic replacement writes a temporary file in the final target's directory (so the rename
 * cannot cross file systems), flushes and fsyncs it, renames it over the target and fsyncs the
 * directory. The temporary file is created with open(O_CREAT | O_EXCL, 0666), so the kernel
 * applies the umask (and any default ACL) exactly as for a file the user creates; an existing
 * file's owner and mode are copied onto it before the rename. While it exists its name is in the
 * signal-safe registry (temp_registry.c). */
#include "io/atomic_file.h"

#include "core/error.h"
#include "io/output_path.h"
#include "io/temp_registry.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char TMP_SUFFIX[] = ".tmp.XXXXXX";
static const char TMP_SHORT[] = ".dropnet.tmp.XXXXXX"; /* when the name is too long for a suffix */

/* The directory holding `path` ("." for a bare name). */
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
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL))
        st = dni_fail(err, DN_ERR_IO,
                      "\"%s\" was written but its directory \"%s\" could not be synced: %s", path,
                      dir, strerror(errno));
    if (fd >= 0) close(fd);
    free(dir);
    return st;
}

/* Runs `produce` on `fd` and flushes; `durable` adds an fsync (not for devices and pipes, where
 * it means nothing). Closes fd. `name` is what messages call the file. */
static dn_status fill_and_close(int fd, const char *name, int durable, dn_write_fn produce,
                                void *context, dn_error *err) {
    FILE *file = fdopen(fd, "wb");
    if (file == NULL) {
        dn_status st = dni_fail(err, DN_ERR_IO, "cannot write \"%s\": %s", name, strerror(errno));
        close(fd);
        return st;
    }
    dn_status st = produce(file, context, err);
    errno = 0;
    if (st == DN_OK && (fflush(file) != 0 || ferror(file)))
        st = dni_fail(err, DN_ERR_IO, "cannot write \"%s\": %s", name,
                     errno ? strerror(errno) : "write error");
    if (st == DN_OK && durable && fsync(fileno(file)) != 0)
        st = dni_fail(err, DN_ERR_IO, "cannot sync \"%s\" to disk: %s", name, strerror(errno));
    if (fclose(file) != 0 && st == DN_OK)
        st = dni_fail(err, DN_ERR_IO, "cannot close \"%s\": %s", name, strerror(errno));
    return st;
}

/* Replaces "XXXXXX" at the end of `tmp` with letters from the time, the pid and a counter. */
static void fill_random(char *tmp, unsigned attempt) {
    static atomic_uint counter;
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long long v = (unsigned long long)ts.tv_nsec * 2654435761u ^
                           (unsigned long long)getpid() << 20 ^
                           (unsigned long long)atomic_fetch_add(&counter, 1) * 40503u ^ attempt;
    char *x = tmp + strlen(tmp) - 6;
    for (int i = 0; i < 6; ++i, v /= 62) x[i] = letters[v % 62];
}

/* Creates the temporary file beside `target` (mode 0666 & ~umask); its name in *tmp_out, its
 * registry slot in *slot_out. The name is registered BEFORE open() creates the file: a signal is
 * delivered as a system call returns, and open(O_CREAT) is a slow one, so a handler running just
 * after it must already find the name (a second Ctrl-C during the final save left the file when
 * it was registered after). A handler that runs before open() unlinks a name that does not exist
 * yet, harmlessly; one that runs after an EEXIST unlinks a file of the same `target.tmp.XXXXXX`
 * form, i.e. another save's temporary file of this very target (a 1 in 62^6 collision). */
static dn_status create_temp(const char *target, char **tmp_out, int *fd_out, int *slot_out,
                             dn_error *err) {
    const char *slash = strrchr(target, '/');
    size_t dir = slash == NULL ? 0 : (size_t)(slash - target) + 1, len = strlen(target);
    int short_form = len - dir + sizeof TMP_SUFFIX - 1 > DN_OUTPUT_NAME_MAX;
    const char *suffix = short_form ? TMP_SHORT : TMP_SUFFIX;
    size_t keep = short_form ? dir : len;
    char *tmp = malloc(keep + strlen(suffix) + 2);
    if (tmp == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory saving \"%s\"", target);
    memcpy(tmp, target, keep);
    strcpy(tmp + keep, suffix);
    for (unsigned attempt = 0; attempt < 100; ++attempt) {
        fill_random(tmp, attempt);
        int slot = dni_temp_register(tmp);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd >= 0) {
            *tmp_out = tmp;
            *fd_out = fd;
            *slot_out = slot;
            return DN_OK;
        }
        int saved = errno; /* unregistering must not hide why open() failed */
        dni_temp_unregister(slot);
        errno = saved;
        if (errno != EEXIST) break;
    }
    dn_status st = dni_fail(err, DN_ERR_IO, "cannot create a temporary file \"%s\" to save \"%s\": "
                           "%s", tmp, target, strerror(errno));
    free(tmp);
    return st;
}

/* Gives the temporary file the replaced file's owner and mode. Changing the owner needs
 * privileges a user usually lacks (EPERM): then the file is the user's, as any file they write.
 * The owner goes first because chown clears set-user-ID bits. */
static dn_status keep_owner_and_mode(int fd, const struct stat *old, const char *tmp,
                                     dn_error *err) {
    struct stat now;
    if (fstat(fd, &now) == 0 && (now.st_uid != old->st_uid || now.st_gid != old->st_gid))
        if (fchown(fd, old->st_uid, old->st_gid) != 0) {
            int ignored = fchown(fd, (uid_t)-1, old->st_gid); /* the group, if the user is in it */
            (void)ignored;
        }
    if (fchmod(fd, old->st_mode & 07777) != 0)
        return dni_fail(err, DN_ERR_IO, "cannot set the mode of \"%s\": %s", tmp, strerror(errno));
    return DN_OK;
}

static dn_status write_atomically(const dn_output_target *t, const char *path,
                                  dn_write_fn produce, void *context, dn_error *err) {
    if (t->kind == DN_OUTPUT_REGULAR && access(t->path, W_OK) != 0)
        return dni_fail(err, DN_ERR_IO, "cannot replace \"%s\": %s (make it writable or remove "
                       "it first)", path, strerror(errno));
    char *tmp = NULL;
    int fd = -1, slot = -1;
    dn_status st = create_temp(t->path, &tmp, &fd, &slot, err);
    if (st != DN_OK) return st;
    if (t->kind == DN_OUTPUT_REGULAR) st = keep_owner_and_mode(fd, &t->info, tmp, err);
    if (st == DN_OK) st = fill_and_close(fd, tmp, 1, produce, context, err);
    else close(fd);
    if (st == DN_OK && rename(tmp, t->path) != 0)
        st = dni_fail(err, DN_ERR_IO, "cannot rename \"%s\" to \"%s\": %s", tmp, t->path,
                     strerror(errno));
    if (st != DN_OK) unlink(tmp);
    dni_temp_unregister(slot);
    free(tmp);
    return st == DN_OK ? sync_directory(t->path, err) : st;
}

/* A device, a FIFO or an inherited descriptor: the content goes straight in, nothing renamed. */
static dn_status write_in_place(const dn_output_target *t, const char *path, dn_write_fn produce,
                                void *context, dn_error *err) {
    int fd = t->kind == DN_OUTPUT_FD ? fcntl(t->fd, F_DUPFD_CLOEXEC, 3)
                                     : open(t->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return dni_fail(err, DN_ERR_IO, "cannot open \"%s\" for writing: %s", path,
                       strerror(errno));
    return fill_and_close(fd, path, 0, produce, context, err);
}

dn_status dn_write_file_atomic(const char *path, dn_write_fn produce, void *context, dn_error *err) {
    if (produce == NULL) return dni_fail(err, DN_ERR_ARGUMENT, "the writer must not be NULL");
    dn_output_target t;
    dn_status st = dni_output_resolve(path, &t, err);
    if (st != DN_OK) return st;
    if (t.kind == DN_OUTPUT_STREAM || t.kind == DN_OUTPUT_FD)
        st = write_in_place(&t, path, produce, context, err);
    else
        st = write_atomically(&t, path, produce, context, err);
    dni_output_target_free(&t);
    return st;
}
