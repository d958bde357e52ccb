/* output_check.c — outputs checked up front (output_check.h).
 *
 * HOOK (issue 12): the library's dn_check_outputs (branch harden-lib) checks the same things
 * under its output policy (symlinks resolved hop by hop, the same name twice); once it is merged,
 * check_one below becomes a call to it and this file keeps only the option names in messages. */
#include "common/output_check.h"

#include "common/cli_error.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PATH_LIMIT = 4095, NAME_LIMIT = 255 };

/* A device, FIFO or socket: written in place, never a file another option could destroy. */
static int is_stream(const struct stat *st) {
    return S_ISCHR(st->st_mode) || S_ISFIFO(st->st_mode) || S_ISSOCK(st->st_mode);
}

/* The same file (device and inode, symlinks followed): "-" is standard input. */
static int same_file(const struct stat *sa, const char *input) {
    struct stat si;
    int ok = strcmp(input, "-") == 0 ? fstat(STDIN_FILENO, &si) == 0 : stat(input, &si) == 0;
    return ok && si.st_dev == sa->st_dev && si.st_ino == sa->st_ino && !is_stream(&si);
}

/* The longest component of `path`. */
static size_t longest_name(const char *path) {
    size_t longest = 0, run = 0;
    for (const char *c = path;; ++c) {
        if (*c == '/' || *c == '\0') {
            if (run > longest) longest = run;
            run = 0;
            if (*c == '\0') break;
        } else {
            run++;
        }
    }
    return longest;
}

/* The directory part of `path` (into dir) exists and is writable; else 0 with errno set. No
 * truncated copy: the length is checked first. */
static int directory_writable(const char *path, char dir[PATH_LIMIT + 1]) {
    snprintf(dir, PATH_LIMIT + 1, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL) snprintf(dir, PATH_LIMIT + 1, ".");
    else if (slash == dir) dir[1] = '\0';
    else *slash = '\0';
    return access(dir, W_OK) == 0;
}

static int check_one(const char *command, const cli_named_file *o) {
    const char *path = o->path;
    if (path[0] == '\0') return cli_error(-1, "%s: %s needs a file name", command, o->option);
    if (strlen(path) > PATH_LIMIT || longest_name(path) > NAME_LIMIT)
        return cli_error(-1, "%s: %s: the path is too long (%zu bytes; at most %d, and %d for each "
                            "name in it)", command, o->option, strlen(path), PATH_LIMIT, NAME_LIMIT);
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return cli_error(-1, "%s: cannot write %s %s: it is a directory", command, o->option, path);
        if (S_ISREG(st.st_mode) && access(path, W_OK) != 0)
            return cli_error(-1, "%s: cannot write %s %s: %s", command, o->option, path, strerror(errno));
        if (is_stream(&st) || !S_ISREG(st.st_mode)) return 0;
    } else if (errno != ENOENT) {
        return cli_error(-1, "%s: cannot write %s %s: %s", command, o->option, path, strerror(errno));
    }
    char dir[PATH_LIMIT + 1];
    if (!directory_writable(path, dir))
        return cli_error(-1, "%s: cannot write %s %s: its directory %s: %s", command, o->option,
                         path, dir, strerror(errno));
    return 0;
}

int cli_check_outputs(const char *command, const cli_named_file *outputs, size_t n_out,
                      const cli_named_file *inputs, size_t n_in) {
    for (size_t i = 0; i < n_out; ++i) {
        const cli_named_file *o = &outputs[i];
        if (o->path == NULL) continue;
        if (check_one(command, o) != 0) return -1;
        struct stat st;
        if (stat(o->path, &st) != 0 || is_stream(&st)) {
            /* New files: two outputs with the same name would overwrite each other. */
            for (size_t j = 0; j < i; ++j)
                if (outputs[j].path != NULL && strcmp(outputs[j].path, o->path) == 0)
                    return cli_error(-1, "%s: %s and %s name the same file %s", command,
                                     outputs[j].option, o->option, o->path);
            continue;
        }
        for (size_t j = 0; j < n_in; ++j)
            if (inputs[j].path != NULL && same_file(&st, inputs[j].path))
                return cli_error(-1, "%s: %s %s is the same file as %s %s: writing it would "
                                    "destroy it; choose another %s", command, o->option, o->path,
                                 inputs[j].option, inputs[j].path, o->option);
        for (size_t j = 0; j < i; ++j) {
            struct stat sj;
            if (outputs[j].path != NULL && stat(outputs[j].path, &sj) == 0 && !is_stream(&sj) &&
                sj.st_dev == st.st_dev && sj.st_ino == st.st_ino)
                return cli_error(-1, "%s: %s and %s name the same file %s", command,
                                 outputs[j].option, o->option, o->path);
        }
    }
    return 0;
}
