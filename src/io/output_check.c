/* output_check.c — dn_check_outputs: every output checked before any work starts.
 *
 * A run that trains for an hour and then cannot write its --out has lost the hour; an output
 * that is also an input destroys that input when it is opened. Both are decided here, from the
 * paths alone, before anything is opened for writing. */
#include "io/output_path.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* stat of an input ("-" is standard input); 0 when it cannot be stat'ed (its reader reports
 * that). */
static int stat_input(const char *path, struct stat *info) {
    if (strcmp(path, "-") == 0) return fstat(0, info) == 0;
    return stat(path, info) == 0;
}

/* stat of where the output's content goes; 0 when nothing is there yet. */
static int stat_output(const dn_output_target *t, struct stat *info) {
    if (t->kind == DN_OUTPUT_FD) return fstat(t->fd, info) == 0;
    return t->kind != DN_OUTPUT_NEW && stat(t->path, info) == 0;
}

/* A new file (and the temporary file replacing an old one) needs an existing, writable
 * directory. */
static dn_status check_new(const char *path, const dn_output_target *t, dn_error *err) {
    const char *slash = strrchr(t->path, '/'); /* its name's length: dni_output_resolve */
    size_t dir_len = slash == NULL ? 1 : (slash == t->path ? 1 : (size_t)(slash - t->path));
    char *dir = malloc(dir_len + 1);
    if (dir == NULL) return dni_fail(err, DN_ERR_MEMORY, "out of memory checking \"%s\"", path);
    memcpy(dir, slash == NULL ? "." : t->path, dir_len);
    dir[dir_len] = '\0';
    struct stat info;
    dn_status st = DN_OK;
    if (stat(dir, &info) != 0)
        st = dni_fail(err, DN_ERR_IO, "cannot write \"%s\": directory \"%s\": %s", path, dir,
                     strerror(errno));
    else if (!S_ISDIR(info.st_mode))
        st = dni_fail(err, DN_ERR_IO, "cannot write \"%s\": \"%s\" is not a directory", path, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        st = dni_fail(err, DN_ERR_IO, "cannot write \"%s\": directory \"%s\": %s", path, dir,
                     strerror(errno));
    free(dir);
    return st;
}

/* Checks one output; *stream tells whether it is a device, FIFO or descriptor (which several
 * outputs may share, e.g. /dev/null). */
static dn_status check_one(const char *path, const char *const *inputs, size_t input_count,
                           int *stream, dn_error *err) {
    dn_output_target t;
    dn_status st = dni_output_resolve(path, &t, err);
    if (st != DN_OK) return st;
    *stream = t.kind == DN_OUTPUT_STREAM || t.kind == DN_OUTPUT_FD;
    struct stat out;
    if (stat_output(&t, &out) && (S_ISREG(out.st_mode) || S_ISFIFO(out.st_mode))) {
        /* Devices (/dev/null, a terminal) are shared by everything; only files and pipes can be
         * the very input being read. */
        for (size_t i = 0; st == DN_OK && i < input_count; ++i) {
            struct stat in;
            if (inputs[i] != NULL && stat_input(inputs[i], &in) && in.st_dev == out.st_dev &&
                in.st_ino == out.st_ino)
                st = dni_fail(err, DN_ERR_ARGUMENT, "output \"%s\" is the same file as input "
                             "\"%s\": writing it would destroy the input (choose another output)",
                             path, inputs[i]);
        }
    }
    if (st == DN_OK && t.kind == DN_OUTPUT_NEW) st = check_new(path, &t, err);
    if (st == DN_OK && t.kind == DN_OUTPUT_REGULAR && access(t.path, W_OK) != 0)
        st = dni_fail(err, DN_ERR_IO, "cannot replace \"%s\": %s (make it writable or remove it "
                     "first)", path, strerror(errno));
    if (st == DN_OK && t.kind == DN_OUTPUT_REGULAR) st = check_new(path, &t, err);
    if (st == DN_OK && t.kind == DN_OUTPUT_FD && fcntl(t.fd, F_GETFD) < 0)
        st = dni_fail(err, DN_ERR_IO, "cannot write \"%s\": descriptor %d is not open", path,
                     t.fd);
    dni_output_target_free(&t);
    return st;
}

dn_status dn_check_outputs(const char *const *outputs, size_t output_count,
                           const char *const *inputs, size_t input_count, dn_error *err) {
    if ((outputs == NULL && output_count != 0) || (inputs == NULL && input_count != 0))
        return dni_fail(err, DN_ERR_ARGUMENT, "dn_check_outputs: NULL list with a non-zero count");
    for (size_t i = 0; i < output_count; ++i) {
        if (outputs[i] == NULL) continue;
        int stream = 0;
        dn_status st = check_one(outputs[i], inputs, input_count, &stream, err);
        if (st != DN_OK) return st;
        for (size_t j = 0; !stream && j < i; ++j)
            if (outputs[j] != NULL && strcmp(outputs[i], outputs[j]) == 0)
                return dni_fail(err, DN_ERR_ARGUMENT, "\"%s\" is named as two outputs: each "
                               "output needs its own file", outputs[i]);
    }
    return DN_OK;
}
