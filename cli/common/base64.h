/* base64.h — bytes written as base64 text (RFC 4648, standard alphabet, '=' padding), the form
 * `dropnet play` embeds a table's values in a page in: the page decodes it with atob
 * (cli/common/base64.c). */
#ifndef CLI_BASE64_H
#define CLI_BASE64_H

#include <stddef.h>
#include <stdio.h>

/* Writes bytes [n] to `out` as base64 on one line, without a newline (4 characters per 3 bytes,
 * the last group padded with '='; nothing for n = 0). Write errors are left in ferror(out). */
void cli_base64_write(FILE *out, const unsigned char *bytes, size_t n);

#endif
