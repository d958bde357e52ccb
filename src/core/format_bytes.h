/* format_bytes.h — byte counts for messages: "512 B", "1.5 KiB", "179.4 MiB", "2.0 GiB". */
#ifndef DN_CORE_FORMAT_BYTES_H
#define DN_CORE_FORMAT_BYTES_H

#include <stddef.h>

enum { DN_BYTES_TEXT_SIZE = 32 };

void dni_format_bytes(char text[DN_BYTES_TEXT_SIZE], size_t bytes);

#endif
