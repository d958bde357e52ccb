/* atomic_file.h — writing an output file under the output policy (internal). */
#ifndef DN_IO_ATOMIC_FILE_H
#define DN_IO_ATOMIC_FILE_H

#include "dropnet.h"

#include <stdio.h>

/* dn_write_file_atomic (public, in dropnet.h) is the writer; docs/RELIABILITY.md ("Output
 * policy") says what it does for each kind of target. */
dn_status dn_write_file_atomic(const char *path, dn_write_fn produce, void *context, dn_error *err);

#endif
