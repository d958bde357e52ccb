/* output_path.c — resolving an output path to the file a write really reaches.
 *
 * A symlink is followed by hand (readlink, hop by hop) rather than with realpath(), because the
 * final target of a symlinked output may not exist yet and must then be created where the link
 * points, not in the link's place. */
#include "io/output_path.h"

#include "core/error.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { DN_MAX_LINK_HOPS = 40 }; /* Linux's own limit (ELOOP) */

/* "/dev/stdout" → 1, "/dev/fd/7" → 7, "/proc/self/fd/7" → 7; -1 for anything else. These name
 * the process's already open descriptors: reopening them by name would start a regular file at
 * offset 0 and renaming over them would replace a system symlink. */
static int descriptor_name(const char *path) {
    static const struct {
        const char *name;
        int fd;
    } fixed[] = {{"/dev/stdin", 0}, {"/dev/stdout", 1}, {"/dev/stderr", 2}};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; ++i)
        if (strcmp(path, fixed[i].name) == 0) return fixed[i].fd;
    static const char *const prefixes[] = {"/dev/fd/", "/proc/self/fd/"};
    for (size_t i = 0; i < 2; ++i) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(path, prefixes[i], n) != 0 || path[n] == '\0') continue;
        long fd = 0;
        for (const char *c = path + n; *c; ++c) {
            if (*c < '0' || *c > '9' || fd > INT_MAX / 10) return -1;
            fd = fd * 10 + (*c - '0');
        }
        return (int)fd;
    }
    return -1;
}

/* The target of symlink `link` whose content is `target`: relative targets are relative to the
 * link's directory. */
static char *join_link(const char *link, const char *target) {
    if (target[0] == '/') return strdup(target);
    const char *slash = strrchr(link, '/');
    size_t dir = slash == NULL ? 0 : (size_t)(slash - link) + 1, n = strlen(target);
    char *out = malloc(dir + n + 1);
    if (out == NULL) return NULL;
    memcpy(out, link, dir);
    memcpy(out + dir, target, n + 1);
    return out;
}

/* Classifies the non-link file `t->path` (lstat in t->info, or missing). */
static dn_status classify(const char *path, dn_output_target *t, int missing, dn_error *err) {
    if (missing) {
        t->kind = DN_OUTPUT_NEW;
        return DN_OK;
    }
    mode_t m = t->info.st_mode;
    if (S_ISREG(m)) t->kind = DN_OUTPUT_REGULAR;
    else if (S_ISCHR(m) || S_ISFIFO(m)) t->kind = DN_OUTPUT_STREAM;
    else if (S_ISDIR(m))
        return dni_fail(err, DN_ERR_IO, "cannot write \"%s\": it is a directory (name a file "
                       "inside it)", path);
    else
        return dni_fail(err, DN_ERR_IO, "cannot write \"%s\": it is a %s, not a file", path,
                       S_ISBLK(m) ? "block device" : "socket");
    return DN_OK;
}

/* classify, and on failure the resolved path released: a failed resolve owns nothing, so its
 * callers return at once without dni_output_target_free. */
static dn_status classify_or_free(const char *path, dn_output_target *t, int missing,
                                  dn_error *err) {
    dn_status st = classify(path, t, missing, err);
    if (st != DN_OK) dni_output_target_free(t);
    return st;
}

dn_status dni_output_resolve(const char *path, dn_output_target *t, dn_error *err) {
    memset(t, 0, sizeof *t);
    t->fd = -1;
    if (path == NULL || path[0] == '\0')
        return dni_fail(err, DN_ERR_ARGUMENT, "the output path must not be empty");
    size_t len = strlen(path);
    if (len > DN_OUTPUT_PATH_MAX)
        return dni_fail(err, DN_ERR_ARGUMENT, "output path \"%s\" is %zu bytes long; the system's "
                       "limit is %d", path, len, DN_OUTPUT_PATH_MAX);
    char *cur = strdup(path);
    if (cur == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for \"%s\"", path);
    for (int hop = 0;; ++hop) {
        int fd = descriptor_name(cur);
        if (fd >= 0) {
            t->kind = DN_OUTPUT_FD;
            t->fd = fd;
            t->path = cur;
            return DN_OK;
        }
        const char *slash = strrchr(cur, '/');
        size_t name_len = strlen(slash ? slash + 1 : cur);
        if (name_len > DN_OUTPUT_NAME_MAX) {
            free(cur);
            return dni_fail(err, DN_ERR_ARGUMENT, "cannot write \"%s\": the file name is %zu bytes, "
                           "the limit is %d", path, name_len, DN_OUTPUT_NAME_MAX);
        }
        if (lstat(cur, &t->info) != 0) {
            if (errno != ENOENT) {
                dn_status st = dni_fail(err, DN_ERR_IO, "cannot write \"%s\": %s", path,
                                       strerror(errno));
                free(cur);
                return st;
            }
            t->path = cur;
            return classify_or_free(path, t, 1, err);
        }
        if (!S_ISLNK(t->info.st_mode)) {
            t->path = cur;
            return classify_or_free(path, t, 0, err);
        }
        char target[DN_OUTPUT_PATH_MAX + 1];
        ssize_t n = readlink(cur, target, sizeof target);
        if (hop >= DN_MAX_LINK_HOPS || n < 0 || (size_t)n >= sizeof target) {
            dn_status st = dni_fail(err, DN_ERR_IO, "cannot write \"%s\": %s", path,
                                   n < 0 ? strerror(errno) : strerror(ELOOP));
            free(cur);
            return st;
        }
        target[n] = '\0';
        char *next = join_link(cur, target);
        free(cur);
        if (next == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory for \"%s\"", path);
        cur = next;
    }
}

void dni_output_target_free(dn_output_target *t) {
    if (t == NULL) return;
    free(t->path);
    t->path = NULL;
}
