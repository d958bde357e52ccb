/* read_text.h — reading a whole text file, plain or gzip (read_text.c; internal). */
#ifndef DN_DATA_READ_TEXT_H
#define DN_DATA_READ_TEXT_H

#include "dropnet.h"

#include <stddef.h>

/* Reads the whole of `path`, plain or gzip (zlib tells them apart), into *text [*len + 1] with a
 * NUL appended. `path` may be a FIFO or pipe, and "-" reads standard input. A NUL byte is refused
 * (DN_ERR_FORMAT, file:line and offset) in the first block that holds one. The caller frees
 * *text with free(). DN_ERR_IO names the path and the cause;
 * with max_bytes > 0, a text longer than that is refused (DN_ERR_MEMORY) as soon as it shows. */
dn_status dni_read_text_file(const char *path, size_t max_bytes, char **text, size_t *len,
                             dn_error *err);

#endif
