/* output_path.h — where a write to a path really lands, and the temporary files in flight
 * (internal; the public side is dn_check_outputs and dn_remove_temp_files in dropnet.h). */
#ifndef DN_IO_OUTPUT_PATH_H
#define DN_IO_OUTPUT_PATH_H

#include "dropnet.h"

#include <sys/stat.h>

/* How an output path is written (docs/RELIABILITY.md, "Output policy"). */
typedef enum dn_output_kind {
    DN_OUTPUT_NEW = 0,   /* nothing there yet: a new regular file, atomically */
    DN_OUTPUT_REGULAR,   /* an existing regular file: replaced atomically, mode and owner kept */
    DN_OUTPUT_STREAM,    /* a character device or FIFO: written directly, never renamed over */
    DN_OUTPUT_FD         /* /dev/stdout, /dev/fd/N, /proc/self/fd/N: the process's own fd N */
} dn_output_kind;

/* The resolved destination of an output path. */
typedef struct dn_output_target {
    dn_output_kind kind;
    char *path;        /* after following symlinks (malloc'd); the file the content goes to */
    int fd;            /* DN_OUTPUT_FD: the descriptor number */
    struct stat info;  /* DN_OUTPUT_REGULAR, DN_OUTPUT_STREAM: lstat of `path` */
} dn_output_target;

/* Longest output path accepted, in bytes without the NUL (PATH_MAX − 1 on Linux). */
enum { DN_OUTPUT_PATH_MAX = 4095, DN_OUTPUT_NAME_MAX = 255 /* one file name (NAME_MAX) */ };

/* Resolves `path`: follows symlinks (dangling ones too, up to 40 hops) and classifies the final
 * file. Refuses an empty or too long path, a directory, a block device, a socket or a symlink
 * loop (DN_ERR_IO / DN_ERR_ARGUMENT naming `path`). Free with dni_output_target_free. */
dn_status dni_output_resolve(const char *path, dn_output_target *out, dn_error *err);
void dni_output_target_free(dn_output_target *t);


#endif
