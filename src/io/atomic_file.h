/* atomic_file.h — replacing a file all at once (internal). */
#ifndef DN_IO_ATOMIC_FILE_H
#define DN_IO_ATOMIC_FILE_H

#include "dropnet.h"

#include <stdio.h>

/* dn_write_file_atomic (public, in dropnet.h) is this function under its API name. */
/*
 * Creates `path` with the content `produce` writes, atomically: a reader (or a crash) sees either
 * the old file or the complete new one. The content goes to "<path>.tmp.XXXXXX" (mkstemp, same
 * directory so rename cannot cross file systems), is flushed and fsync'ed, renamed over `path`,
 * and the directory is fsync'ed so the rename itself is durable. On any failure the temporary
 * file is removed and `path` is not touched. New files get mode 0644.
 */
dn_status dn_write_file_atomic(const char *path, dn_write_fn produce, void *context, dn_error *err);

#endif
